"""How long a workspace keeps its audit log (audit.retention prunes it daily)."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from audit.models import AuditAction
from audit.services import audit_record
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import AUDIT_RETENTION_MAX_DAYS, AUDIT_RETENTION_MIN_DAYS, Workspace
from workspaces.permissions import access_workspace_owner


def _check_days(days: int | None) -> int | None:
    if days is None:
        return None
    is_number = isinstance(days, int) and not isinstance(days, bool)
    if not is_number or not AUDIT_RETENTION_MIN_DAYS <= days <= AUDIT_RETENTION_MAX_DAYS:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "Keep the audit log from %(min)s to %(max)s days, or leave it empty to keep it for ever.",
            fields={"audit_retention_days": "invalid"},
            params={"min": AUDIT_RETENTION_MIN_DAYS, "max": AUDIT_RETENTION_MAX_DAYS},
        )
    return days


@transaction.atomic
def workspace_set_audit_retention(*, actor: User | None, workspace: Workspace, days: int | None) -> Workspace:
    """Keep the workspace's audit events for `days` (30 to 3650), or for ever (None, the default). Shortening
    it deletes the older events at the next daily pruning, and the audit page stops showing them at once.

    Callers: workspace owners (admins not: the log records what they do); the operator.
    Raises: workspace_not_found, account_inactive, restricted_action, invalid_arguments.
    Events: audit AUDIT_RETENTION_CHANGED (from, to), when it changes.
    """
    access_workspace_owner(actor, workspace)
    days = _check_days(days)
    if workspace.audit_retention_days == days:
        return workspace
    previous = workspace.audit_retention_days
    workspace.audit_retention_days = days
    workspace.save(update_fields=["audit_retention_days"])
    audit_record(
        action=AuditAction.AUDIT_RETENTION_CHANGED,
        actor=actor,
        workspace=workspace,
        target=workspace,
        target_label=workspace.name,
        data={"from": previous, "to": days},
    )
    return workspace
