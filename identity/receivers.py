"""SIGN_IN for single sign-on through OpenID Connect, with {"method": "oidc:<provider id>"}.

identity.adapters.AccountAdapter.login marks the request with the method (the attribute audit.context
reads, once the audit log's own sign-in receivers are merged; then this receiver goes, and that one
records every sign-in with the method it finds).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from audit.models import AuditAction
from audit.services import audit_record
from identity.adapters import SIGN_IN_METHOD_ATTRIBUTE


@receiver(user_logged_in, dispatch_uid="identity.record_oidc_sign_in")
def record_oidc_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    method = getattr(request, SIGN_IN_METHOD_ATTRIBUTE, None) if request is not None else None
    if not method or not method.startswith("oidc:"):
        return
    audit_record(action=AuditAction.SIGN_IN, actor=user, request=request, target=user, data={"method": method})
