"""A workspace's sign-in policy, as a session meets it or not.

Sign-in is site-wide, so how a session signed in is written into it once, at sign-in
(`record_sign_in`, the `user_logged_in` receiver), and read wherever a session enters a workspace:
the workspace's pages and the REST API (identity.policy_gate) and the socket (realtime.auth leaves out
the workspaces it is barred from). API tokens are separate credentials, never held to it.

The methods: `password` (Slackclone's own, and passkeys), `ldap` (the directory's password) and
`sso:<provider_id>` (an OpenID Connect or SAML provider, allauth's provider id).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext

from identity.models import SignInPolicy
from slackclone.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from accounts.models import User
    from workspaces.models import Workspace

SESSION_KEY = "identity_sign_in"  # {"method": "...", "at": seconds since the epoch}
PASSWORD, LDAP, SSO_PREFIX = "password", "ldap", "sso:"
# Problems a session can have with a policy (ErrorCode values, so every surface says the same).
METHOD_NOT_ALLOWED = ErrorCode.SIGN_IN_METHOD_NOT_ALLOWED.value
SESSION_EXPIRED = ErrorCode.SESSION_EXPIRED.value


def sign_in_method(records: list[dict[str, Any]], backend: str) -> str:
    """How this sign-in proved who it is: a provider's login (allauth records it), the LDAP backend, or a
    password (a passkey's passwordless login counts as one: it is Slackclone's own credential)."""
    for record in records:
        if record.get("method") == "socialaccount" and record.get("provider"):
            return SSO_PREFIX + str(record["provider"])
    if "ldap" in backend.lower():
        return LDAP
    return PASSWORD


def record_sign_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    """The one place the sign-in method and time are written into the session (`user_logged_in`)."""
    session = getattr(request, "session", None)
    if session is None:
        return
    from allauth.account.internal.flows.login import get_authentication_records

    method = sign_in_method(get_authentication_records(request, user), getattr(user, "backend", "") or "")
    session[SESSION_KEY] = {"method": method, "at": time.time()}


def session_sign_in(session: Mapping[str, Any]) -> tuple[str, float]:
    """(method, when) of a session; a session signed in before methods were recorded counts as a password
    sign-in at an unknown time (0: too old for any session length)."""
    data = session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return PASSWORD, 0.0
    return str(data.get("method") or PASSWORD), float(data.get("at") or 0.0)


def is_break_glass(policy: SignInPolicy, user: User) -> bool:
    """The owner the owners chose may always enter with a password, while they are an active owner."""
    from workspaces.models import Membership, Role

    if policy.break_glass_owner_id is None or policy.break_glass_owner_id != user.pk:
        return False
    return Membership.objects.filter(
        workspace_id=policy.workspace_id, user=user, role=Role.OWNER, is_active=True
    ).exists()


def method_allowed(policy: SignInPolicy, method: str) -> bool:
    if method.startswith(SSO_PREFIX):
        if not policy.allow_sso:
            return False
        chosen = [provider.provider_id for provider in policy.sso_providers.select_related("social_app")]
        if chosen:
            return method[len(SSO_PREFIX) :] in chosen
        return policy.workspace.identity_providers.filter(
            enabled=True, social_app__provider_id=method[len(SSO_PREFIX) :]
        ).exists()
    if policy.sso_only:
        return False
    return policy.allow_ldap if method == LDAP else policy.allow_password


def session_problem(
    policy: SignInPolicy | None, user: User, session: Mapping[str, Any], *, now: float | None = None
) -> str:
    """Why this session may not enter the policy's workspace ("" when it may): sign_in_method_not_allowed,
    or session_expired when it signed in longer ago than the session length. `now` is for tests."""
    if policy is None:
        return ""
    method, signed_in_at = session_sign_in(session)
    if not method_allowed(policy, method) and not (not method.startswith(SSO_PREFIX) and is_break_glass(policy, user)):
        return METHOD_NOT_ALLOWED
    if policy.session_length_hours:
        age = (time.time() if now is None else now) - signed_in_at
        if age > policy.session_length_hours * 3600:
            return SESSION_EXPIRED
    return ""


def workspace_policy(workspace: Workspace) -> SignInPolicy | None:
    return SignInPolicy.objects.filter(workspace=workspace).select_related("workspace").first()


def socket_limits(user: User, session: Mapping[str, Any]) -> tuple[list[int], float | None]:
    """For a socket this session opens: the workspaces (keys) whose policy it does not meet, which it leaves
    out, and when (seconds since the epoch) the first session length of the others runs out, or None."""
    policies = SignInPolicy.objects.filter(
        workspace__memberships__user=user, workspace__memberships__is_active=True
    ).select_related("workspace")
    barred, deadlines = [], []
    _method, signed_in_at = session_sign_in(session)
    for policy in policies:
        if session_problem(policy, user, session):
            barred.append(policy.workspace_id)
        elif policy.session_length_hours:
            deadlines.append(signed_in_at + policy.session_length_hours * 3600)
    return barred, min(deadlines, default=None)


def check_not_break_glass(workspace: Workspace, user: User) -> None:
    """The break-glass owner stays an active owner while the policy names them, so passwords refused by the
    policy never lock every owner out. Raises: restricted_action (choose another break-glass owner first)."""
    if SignInPolicy.objects.filter(workspace=workspace, break_glass_owner=user).exists():
        raise DomainError(
            ErrorCode.RESTRICTED_ACTION,
            "%(name)s is the break-glass owner of the sign-in policy: choose another one there first.",
            params={"name": user.name},
        )


def check_email_domain(workspace: Workspace, email: str) -> None:
    """Refuse an address outside the workspace's allowed domains (invitations, and joining through them).

    Raises: email_domain_not_allowed."""
    policy = SignInPolicy.objects.filter(workspace=workspace).only("allowed_email_domains").first()
    domains = [d.lower() for d in (policy.allowed_email_domains if policy else [])]
    if not domains:
        return
    domain = email.rpartition("@")[2].lower()
    if domain not in domains:
        raise DomainError(
            ErrorCode.EMAIL_DOMAIN_NOT_ALLOWED,
            "%(workspace)s only accepts addresses at %(domains)s.",
            fields={"email": "domain"},
            params={"workspace": workspace.name, "domains": ", ".join(domains)},
        )


def problem_message(problem: str, policy: SignInPolicy | None) -> str:
    """What the "sign in again" page and the API say about a session's problem."""
    if problem == SESSION_EXPIRED and policy is not None and policy.session_length_hours:
        return gettext("This workspace asks everyone to sign in again every %(hours)s hours.") % {
            "hours": policy.session_length_hours
        }
    if policy is not None and policy.sso_only:
        return gettext("This workspace only accepts single sign-on. Sign in with your company's provider.")
    return gettext("This workspace does not accept the way you signed in. Sign in another way.")
