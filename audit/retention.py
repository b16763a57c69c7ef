"""Pruning the audit log: each workspace keeps its events for its `audit_retention_days` (none: for ever), and
account events (workspace NULL) are kept for the operator's AUDIT_ACCOUNT_RETENTION_DAYS (0: for ever).

Deletion runs in batches of AUDIT_PRUNE_BATCH_SIZE, one short transaction each, so the log's table is never
locked for long and a run that stops half-way has done whole batches, which the next run continues. The
database allows DELETE on the table (and only refuses UPDATE, migration 0002). A run that deleted something is
itself recorded (RETENTION_RUN), so the log shows when its own history was cut.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from audit.services import audit_record
from workspaces.models import Workspace

AUDIT_PRUNE_BATCH_SIZE = 1000


def _delete_in_batches(events: QuerySet[AuditEvent], batch_size: int) -> int:
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(events.order_by("id").values_list("id", flat=True)[:batch_size])
            if not ids:
                return deleted
            count, _ = AuditEvent.objects.filter(id__in=ids).delete()
            deleted += count


def audit_prune(*, workspace: Workspace, now: datetime | None = None, batch_size: int = AUDIT_PRUNE_BATCH_SIZE) -> int:
    """Delete the workspace's events older than its audit retention; returns how many went.

    Callers: audit.tasks.prune_audit_log (beat, daily); the run_periodic command. Events: audit RETENTION_RUN
    when something was deleted.
    """
    days = workspace.audit_retention_days
    if not days:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted = _delete_in_batches(AuditEvent.objects.filter(workspace=workspace, created_at__lt=cutoff), batch_size)
    if deleted:
        audit_record(
            action=AuditAction.RETENTION_RUN,
            workspace=workspace,
            target=workspace,
            target_label=workspace.name,
            data={"what": "audit_log", "retention_days": days, "cutoff": cutoff.isoformat(), "events_deleted": deleted},
        )
    return deleted


def audit_prune_account_events(*, now: datetime | None = None, batch_size: int = AUDIT_PRUNE_BATCH_SIZE) -> int:
    """Delete account events (no workspace) older than AUDIT_ACCOUNT_RETENTION_DAYS, when the operator set it."""
    days = settings.AUDIT_ACCOUNT_RETENTION_DAYS
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return _delete_in_batches(AuditEvent.objects.filter(workspace__isnull=True, created_at__lt=cutoff), batch_size)


def audit_prune_all(*, now: datetime | None = None) -> int:
    """Every workspace with an audit retention, then the account events; returns how many events went."""
    deleted = sum(
        audit_prune(workspace=workspace, now=now)
        for workspace in Workspace.objects.filter(audit_retention_days__isnull=False).order_by("pk")
    )
    return deleted + audit_prune_account_events(now=now)
