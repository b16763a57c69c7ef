"""Celery tasks of the audit log: thin adapters over audit.retention (queue `maintenance`, beat daily)."""

from __future__ import annotations

from audit.retention import audit_prune_all
from notifications.tasks import reliable_task


@reliable_task
def prune_audit_log() -> int:
    """Apply every workspace's audit retention; idempotent (a second run finds nothing older to delete)."""
    return audit_prune_all()
