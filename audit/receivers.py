"""Account events every surface shares, recorded where Django announces them.

Signing in and out goes through django.contrib.auth on every surface (the pages, the REST API's session
endpoints, the Django admin), so its signals are where the audit log hears of it. A new password or ended
sessions are heard from the User's save (accounts.signals notes which of them changed), whichever surface saved
it: the security page, the reset link, the REST API, the Django admin. These are account events: they belong to
no workspace (workspace NULL), and each workspace's owners see those of their members (audit.selectors).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.models import User
from audit.context import sessions_ending_is_recorded_by_caller, sign_in_method
from audit.models import AuditAction
from audit.services import audit_record

# Authentication backends by the method the audit log names; another backend is named by its class.
BACKEND_METHODS = {"accounts.backends.EmailBackend": "password"}
ATTEMPTED_EMAIL_LENGTH = 254


def _surface(request: HttpRequest | None) -> str:
    """Where the sign-in came through: the REST API, the Django admin, or the pages."""
    path = getattr(request, "path", "") or ""
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "django_admin"
    return "web" if request is not None else "none"


def _method(request: HttpRequest | None, user: Any) -> str:
    backend = getattr(user, "backend", "") or ""
    return sign_in_method(request) or BACKEND_METHODS.get(backend) or backend.rsplit(".", 1)[-1].lower() or "unknown"


@receiver(user_logged_in, dispatch_uid="audit.record_sign_in")
def record_sign_in(sender, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit_record(
        action=AuditAction.SIGN_IN,
        actor=user,
        request=request,
        target=user,
        data={"method": _method(request, user), "surface": _surface(request)},
    )


@receiver(user_login_failed, dispatch_uid="audit.record_sign_in_failure")
def record_sign_in_failure(sender, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs) -> None:
    """A wrong password, or an address with no account: the same record either way but for the target, which
    names the account when there is one, so its workspaces' owners see attempts on it. No password is kept
    (Django has already masked it in `credentials`)."""
    attempted = str(credentials.get("username") or credentials.get("email") or "").strip()[:ATTEMPTED_EMAIL_LENGTH]
    account = User.objects.filter(email__iexact=attempted).first() if attempted else None
    audit_record(
        action=AuditAction.SIGN_IN_FAILED,
        request=request,
        target=account,
        target_label=attempted,
        data={"method": sign_in_method(request) or "password", "email": attempted, "surface": _surface(request)},
    )


@receiver(user_logged_out, dispatch_uid="audit.record_sign_out")
def record_sign_out(sender, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is None or not user.is_authenticated:
        return
    audit_record(action=AuditAction.SIGN_OUT, actor=user, request=request, target=user, data={})


@receiver(post_save, sender=User, dispatch_uid="audit.record_session_signing_change")
def record_session_signing_change(sender, instance: User, created: bool, **kwargs: Any) -> None:
    """A new password (which ends the other sessions too) or "sign out of all other sessions". The actor is the
    person signed in on the request (themselves, or staff in the Django admin), none for a reset link."""
    changes: frozenset[str] = getattr(instance, "_session_signing_changes", frozenset())
    if created or not changes or (changes == {"session_epoch"} and sessions_ending_is_recorded_by_caller()):
        return
    action = AuditAction.PASSWORD_CHANGED if "password" in changes else AuditAction.SESSIONS_ENDED
    audit_record(action=action, target=instance, data={"sessions_ended": True})
