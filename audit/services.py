"""Recording audit events: the one write path every surface calls."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from audit.context import current_request, recorded_details
from audit.models import AuditAction, AuditEvent

USER_AGENT_LENGTH = 256
LABEL_LENGTH = 254


def _address(request: HttpRequest | None) -> str | None:
    """The client's address as the server resolved it (REMOTE_ADDR, which honours only FORWARDED_ALLOW_IPS)."""
    raw = (request.META.get("REMOTE_ADDR") or "") if request is not None else ""
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def _signed_in(request: HttpRequest | None) -> Any:
    """The person signed in on the request (by session or API token), if any: not a SCIM token's principal."""
    user = getattr(request, "user", None)
    return user if isinstance(user, AbstractBaseUser) and user.is_authenticated else None


def audit_record(
    *,
    action: AuditAction,
    actor: Any = None,
    workspace: Any = None,
    request: HttpRequest | None = None,
    target: Any = None,
    target_label: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Any caller may record; nothing is checked, because recording must never be
    refused. `actor` is the person who acted; None means the person signed in on the current request
    (the staff user of a Django admin action, the owner whose app deletion deactivated its bot), and
    outside a request the system (a task, the operator's command) or an anonymous attempt, whose claimed
    identity goes in `target_label`/`data`. `request` defaults to the current one (audit.context), for the
    address and browser. `target` is any model with `public_id` or `pk`.
    Runs in the caller's transaction, so an event is kept exactly when the change it records is."""
    request = request if request is not None else current_request()
    actor_user = actor if getattr(actor, "pk", None) is not None else _signed_in(request)
    event = AuditEvent(
        action=AuditAction(action),
        workspace=workspace,
        actor=actor_user,
        actor_label=getattr(actor_user, "email", "") if actor_user else "",
        ip_address=_address(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:USER_AGENT_LENGTH],
        data={**recorded_details(), **(data or {})},
    )
    if target is not None:
        event.target_type = target._meta.model_name
        event.target_id = str(getattr(target, "public_id", None) or target.pk)
        event.target_label = (target_label or str(target))[:LABEL_LENGTH]
    else:
        event.target_label = target_label[:LABEL_LENGTH]
    event.save()
    return event
