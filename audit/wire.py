"""The one shape of an audit event, for the REST API, the JSON lines export and the CSV's columns."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from audit.models import AuditEvent

CSV_COLUMNS = (
    "id",
    "created_at",
    "action",
    "workspace",
    "actor_id",
    "actor_email",
    "target_type",
    "target_id",
    "target_label",
    "ip_address",
    "user_agent",
    "data",
)


def _time(event: AuditEvent) -> str:
    return event.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def event_to_wire(event: AuditEvent) -> dict[str, Any]:
    """An event as the API and the JSON lines export give it. The caller selects `actor` and `workspace`.
    `actor.email` is the address the actor had at the time; `actor.id` is null once the account is deleted."""
    workspace, actor = event.workspace, event.actor
    return {
        "id": str(event.pk),
        "created_at": _time(event),
        "action": event.action,
        "workspace": workspace.public_id if workspace is not None else None,
        "actor": {"id": actor.public_id if actor is not None else None, "email": event.actor_label},
        "target": {"type": event.target_type, "id": event.target_id, "label": event.target_label},
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
        "data": event.data,
    }


def event_to_row(event: AuditEvent) -> list[str]:
    """An event as a CSV row, CSV_COLUMNS in order; `data` as compact JSON."""
    wire = event_to_wire(event)
    return [
        wire["id"],
        wire["created_at"],
        wire["action"],
        wire["workspace"] or "",
        wire["actor"]["id"] or "",
        wire["actor"]["email"],
        wire["target"]["type"],
        wire["target"]["id"],
        wire["target"]["label"],
        wire["ip_address"] or "",
        wire["user_agent"],
        json.dumps(wire["data"], ensure_ascii=False, separators=(",", ":"), sort_keys=True),
    ]
