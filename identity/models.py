"""A workspace's identity providers: how its people sign in with the company's OpenID Connect or SAML
provider, and who may be provisioned on first sign-in.

The protocol settings (issuer, client id and secret, IdP metadata) live in django-allauth's SocialApp,
which runs the protocol; this row holds Slackclone's rules around it: whose email is trusted, which
domains are provisioned just in time, how claims map to names, roles and channels. A provider's
accounts are linked by the provider's subject (allauth's SocialAccount.uid), never by email alone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProviderKind(models.TextChoices):
    OIDC = "oidc", _("OpenID Connect")
    SAML = "saml", _("SAML 2.0")


class IdentityProvider(models.Model):
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="identity_providers")
    kind = models.CharField(max_length=8, choices=ProviderKind.choices)
    # allauth's app: provider "openid_connect" or "saml", provider_id the id in its URLs (unique site-wide).
    social_app = models.OneToOneField("socialaccount.SocialApp", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80, help_text=_('Shown on the button: "Sign in with <name>".'))
    enabled = models.BooleanField(default=True)
    # Use the provider's email only when it says the address is verified, and only if this is on.
    trust_email = models.BooleanField(
        default=False,
        help_text=_("Believe the email address the provider vouches for. Off: nobody is provisioned by email."),
    )
    # People whose (trusted) email is in one of these domains get an account and membership on first sign-in.
    allowed_domains = models.JSONField(default=list, blank=True)
    email_claim = models.CharField(max_length=64, default="email")
    name_claim = models.CharField(max_length=64, default="name")
    groups_claim = models.CharField(max_length=64, default="groups", blank=True)
    # {"idp-group": "admin"|"member"|"guest"} and {"idp-group": ["channel-name", ...]}
    group_roles = models.JSONField(default=dict, blank=True)
    group_channels = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The last configuration check (discovery, metadata): empty when it worked.
    last_error = models.TextField(blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="identity_provider_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()}, {self.workspace_id})"

    @property
    def provider_id(self) -> str:
        return self.social_app.provider_id


class SignInPolicy(models.Model):
    """How a workspace's people must have signed in to enter it, and whose addresses it lets in.

    Sign-in itself is site-wide (one account, many workspaces), so the policy is enforced where a
    session enters the workspace: its pages, the REST API and the socket (identity.policy). API tokens
    are separate credentials and are not held to it. A workspace without a row has the defaults:
    every method, any domain, no session limit.
    """

    workspace = models.OneToOneField("workspaces.Workspace", on_delete=models.CASCADE, related_name="sign_in_policy")
    allow_password = models.BooleanField(default=True, help_text=_("Email and password (and passkeys)."))
    allow_ldap = models.BooleanField(default=True, help_text=_("The company directory's password (LDAP)."))
    allow_sso = models.BooleanField(default=True, help_text=_("Single sign-on with the workspace's providers."))
    # Empty: any enabled provider of the workspace; otherwise only these.
    sso_providers = models.ManyToManyField(IdentityProvider, blank=True, related_name="+")
    # Only single sign-on: passwords (ours and LDAP's) are refused, but for the break-glass owner.
    sso_only = models.BooleanField(default=False)
    # The owner who may always enter with a password, so a broken provider never locks the workspace out.
    break_glass_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Lowercase domains ("example.com"); empty: any. Invitations and sign-up through them are held to it.
    allowed_email_domains = models.JSONField(default=list, blank=True)
    # A session older than this (since its sign-in) must sign in again to enter; null: no limit.
    session_length_hours = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Sign-in policy of {self.workspace_id}"


class SAMLAssertionUse(models.Model):
    """A SAML assertion that signed someone in, kept until it expires so the same assertion is never
    accepted twice (a replay: someone who copied the browser's POST). python3-saml and allauth check
    the signature, audience, recipient and time window, but remember nothing between requests."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    assertion_id = models.CharField(max_length=256)
    not_on_or_after = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "assertion_id"], name="saml_assertion_use_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.assertion_id} (until {self.not_on_or_after:%Y-%m-%d %H:%M})"
