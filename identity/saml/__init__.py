"""SAML 2.0 sign-in for a workspace: django-allauth's SAML views (python3-saml underneath) with
Slackclone's rules on top.

- provider.py: the provider class allauth uses for every SAML app (SOCIALACCOUNT_PROVIDERS), which
  enforces the security settings whatever is stored, requires our audience and refuses replays.
- signin.py: what a verified assertion says (subject, email, name, groups), the replay store, the
  sign-in audit events and the hand-over to just-in-time provisioning.
- metadata.py: fetching (bounded, through slackclone.outgoing) and parsing the IdP's metadata.
- services.py: creating and changing a workspace's SAML providers (owners or the operator).
"""
