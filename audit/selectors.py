"""Reading the audit log: which events a workspace's owners see, filtered, a keyset page at a time.

An owner sees the events of their workspace, and the account events (signing in and out, failed attempts on
the account, passwords, two-factor; workspace NULL) of the people who are members there, from the moment they
joined. Never another workspace's events, and never what a member did before joining. Events older than the
workspace's audit retention are not shown even before the daily pruning removes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from audit.models import AuditAction, AuditEvent
from workspaces.models import Membership, Workspace
from workspaces.permissions import access_workspace_owner


@dataclass(frozen=True)
class AuditFilters:
    """What an owner asked for: one action (empty: all), the actor's email (also the address a failed sign-in
    tried), and a time range, `since` inclusive and `until` exclusive."""

    action: str = ""
    actor_email: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def as_dict(self) -> dict[str, str]:
        """The filters as the audit log records an export of it."""
        values = {
            "action": self.action,
            "actor": self.actor_email,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {key: value for key, value in values.items() if value}


@dataclass(frozen=True)
class AuditPosition:
    """A place in the log's order (newest first): the event's time and its number, for keyset pages."""

    created_at: datetime
    id: int


def _visible(workspace: Workspace) -> Q:
    member_since = Membership.objects.filter(workspace=workspace, joined_at__lte=OuterRef("created_at"))
    member_actor = Exists(member_since.filter(user_id=OuterRef("actor_id")))
    member_target = Q(target_type=User._meta.model_name) & Exists(
        member_since.filter(user__public_id=OuterRef("target_id"))
    )
    return Q(workspace=workspace) | (Q(workspace__isnull=True) & (member_actor | member_target))


def _filtered(events: QuerySet[AuditEvent], filters: AuditFilters) -> QuerySet[AuditEvent]:
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.actor_email:
        email = filters.actor_email.strip()
        events = events.filter(
            Q(actor_label__iexact=email)
            | Q(actor__email__iexact=email)
            | Q(action=AuditAction.SIGN_IN_FAILED, target_label__iexact=email)
        )
    if filters.since is not None:
        events = events.filter(created_at__gte=filters.since)
    if filters.until is not None:
        events = events.filter(created_at__lt=filters.until)
    return events


def workspace_audit_events(
    *, actor: User | None, workspace: Workspace, filters: AuditFilters = AuditFilters()
) -> QuerySet[AuditEvent]:
    """The events the workspace's owners see, newest first, filtered. Callers: the audit page, its exports and
    the REST API, for the signed-in person or token (actor); the operator (None).
    Raises: workspace_not_found, account_inactive, restricted_action (not an owner)."""
    access_workspace_owner(actor, workspace)
    events = AuditEvent.objects.filter(_visible(workspace))
    if workspace.audit_retention_days:
        events = events.filter(created_at__gte=timezone.now() - timedelta(days=workspace.audit_retention_days))
    return _filtered(events, filters).select_related("actor", "workspace").order_by("-created_at", "-id")


def audit_page(
    events: QuerySet[AuditEvent], *, after: AuditPosition | None, limit: int
) -> tuple[list[AuditEvent], AuditPosition | None]:
    """Up to `limit` events after `after` (newest first), and the position to continue from (None: the end)."""
    if after is not None:
        events = events.filter(Q(created_at__lt=after.created_at) | Q(created_at=after.created_at, id__lt=after.id))
    rows = list(events[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], AuditPosition(created_at=last.created_at, id=last.pk)
