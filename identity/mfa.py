"""Two-factor rules Slackclone adds around django-allauth's MFA: who has a second factor, whose workspace
requires one, how a sign-in is named for the audit log, and whether the sign-in is recent enough to mint a
token.

allauth keeps, in the session, the list of ways the person proved who they are in it ("password", then
"mfa" with the authenticator's type, or "mfa" alone for a passkey; each with when). Everything here reads
that list; nothing here writes a second factor (allauth's own views and forms do, behind re-authentication).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpRequest

from workspaces.models import Membership, Role, TwoFactorPolicy

if TYPE_CHECKING:
    from accounts.models import User

# Creating an API token needs a sign-in (or a re-authentication) at most this old.
RECENT_SIGN_IN_SECONDS = 10 * 60
# The authenticators that are a second factor by themselves (recovery codes only stand in for them).
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def has_two_factor(user: User) -> bool:
    """Whether the person has an authenticator app or a security key / passkey."""
    return bool(user.pk) and is_mfa_enabled(user, SECOND_FACTORS)


def is_covered_by_policy(membership: Membership) -> bool:
    """Whether the workspace's "require two-factor" policy applies to this member (bots never sign in)."""
    policy = membership.workspace.two_factor_policy
    if membership.user.is_bot or policy == TwoFactorPolicy.OFF:
        return False
    return policy == TwoFactorPolicy.EVERYONE or membership.role in (Role.OWNER, Role.ADMIN)


def must_enrol(membership: Membership) -> bool:
    """A covered member without a second factor is sent to enrol before the client opens."""
    return is_covered_by_policy(membership) and not has_two_factor(membership.user)


DIRECTORY_BACKEND = "directory.backends.DirectoryBackend"


def record_password_sign_in(request: HttpRequest, user: User) -> None:
    """Note in allauth's list that the password was proved (our login form is Django's, not allauth's):
    Slackclone's own ("password") or the company directory's ("ldap"), as the audit log names it."""
    method = "ldap" if getattr(user, "backend", "") == DIRECTORY_BACKEND else "password"
    record_authentication(request, user, method=method, email=user.email)


def _records(request: HttpRequest, user: User) -> list[dict[str, Any]]:
    return [r for r in get_authentication_records(request, user) if isinstance(r, dict)]


def sign_in_method(request: HttpRequest, user: User) -> str | None:
    """How this sign-in was proved, for the audit log: "password", "password+totp",
    "password+recovery_codes", "password+webauthn", "passkey"; None when allauth recorded nothing
    (then the authentication backend names it)."""
    steps: list[str] = []
    for record in _records(request, user):
        if record.get("reauthenticated"):
            continue
        method = record.get("method")
        if method == "mfa" and record.get("passwordless"):
            step = "passkey"
        elif method == "mfa":
            step = str(record.get("type") or "mfa")
        elif method == "socialaccount":
            step = f"sso:{record.get('provider', '')}"
        else:
            step = str(method)
        if step not in steps:
            steps.append(step)
    return "+".join(steps) or None


def signed_in_recently(request: HttpRequest, user: User, *, seconds: int = RECENT_SIGN_IN_SECONDS) -> bool:
    """Whether the person signed in, or re-authenticated, in this session within `seconds`."""
    times = [record.get("at") for record in _records(request, user)]
    latest = max((t for t in times if isinstance(t, int | float)), default=None)
    return latest is not None and time.time() - latest < seconds


def second_factor_by_code(request: HttpRequest, user: User, code: str) -> str:
    """Check an authenticator app's code or an unused recovery code as allauth's login stage does (its rate
    limit per account, a recovery code spent once) and note it in the sign-in's record.

    Returns "ok", "wrong" or "ratelimited". For the API's session sign-in, where no login stage page runs."""
    from allauth.mfa.base.forms import AuthenticateForm

    form = AuthenticateForm(user=user, data={"code": code})
    if form.is_valid():
        form.save()
        return "ok"
    codes = {error.code for error in form.errors.as_data().get("code", [])}
    return "ratelimited" if "too_many_login_attempts" in codes else "wrong"
