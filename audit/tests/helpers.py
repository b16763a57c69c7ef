"""What the audit tests share: reading back the events of one kind."""

from __future__ import annotations

from audit.models import AuditAction, AuditEvent


def recorded(action: AuditAction, **lookups) -> list[AuditEvent]:
    """The events of `action` (matching `lookups`), oldest first."""
    return list(AuditEvent.objects.filter(action=action, **lookups).order_by("created_at", "id"))


def only(action: AuditAction, **lookups) -> AuditEvent:
    events = recorded(action, **lookups)
    assert len(events) == 1, [(e.action, e.target_label, e.data) for e in events]
    return events[0]
