"""What django-allauth announces about two-factor authentication, recorded in the audit log.

allauth's MFA views and forms change a person's authenticators and run the second sign-in step; they say
so with signals, which are the one place every such change passes (the pages, the login stage, the
re-authentication). Account events belong to no workspace; each workspace's owners see their members'.
"""

from __future__ import annotations

from typing import Any

from allauth.account.signals import authentication_step_completed
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from django.dispatch import receiver
from django.http import HttpRequest

from audit.context import SIGN_IN_METHOD_ATTRIBUTE
from audit.models import AuditAction
from audit.services import audit_record
from identity.mfa import sign_in_method


def _record(action: AuditAction, request: HttpRequest | None, user: Any, authenticator: Authenticator, **data):
    audit_record(
        action=action,
        actor=user,
        request=request,
        target=user,
        data={"type": authenticator.type, **data},
    )


@receiver(authenticator_added, dispatch_uid="identity.mfa_enrolled")
def record_enrolled(sender, request: HttpRequest | None, user: Any, authenticator: Authenticator, **kwargs) -> None:
    _record(AuditAction.MFA_ENROLLED, request, user, authenticator)


@receiver(authenticator_reset, dispatch_uid="identity.mfa_reset")
def record_reset(sender, request: HttpRequest | None, user: Any, authenticator: Authenticator, **kwargs) -> None:
    """New recovery codes: the old ones stop working, which is an enrolment of new ones."""
    _record(AuditAction.MFA_ENROLLED, request, user, authenticator, regenerated=True)


@receiver(authenticator_removed, dispatch_uid="identity.mfa_removed")
def record_removed(sender, request: HttpRequest | None, user: Any, authenticator: Authenticator, **kwargs) -> None:
    _record(AuditAction.MFA_REMOVED, request, user, authenticator)


@receiver(authentication_step_completed, dispatch_uid="identity.sign_in_method")
def note_sign_in_method(sender, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """After each step (password, then the second factor; or a passkey alone) the request says how the
    sign-in was proved so far, so the SIGN_IN record made when Django logs the person in names it
    ("password+totp", "passkey", ...)."""
    method = sign_in_method(request, user)
    if method is not None:
        setattr(request, SIGN_IN_METHOD_ATTRIBUTE, method)
