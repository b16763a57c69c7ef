"""Reading the audit log: which events a workspace's owners see, filtered, a keyset page at a time.

An owner sees the events of their workspace, and the account events (signing in and out, failed attempts on
the account, passwords, two-factor; workspace NULL) of the people who are members there, from the moment they
joined. Never another workspace's events, and never what a member did before joining. Events older than the
workspace's audit retention are not shown even before the daily pruning removes them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import connection
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


def _parts(workspace: Workspace) -> list[QuerySet[AuditEvent]]:
    """The three sources of what owners see, each answered from its own index (workspace, actor, target) so a
    small workspace in a large log reads only its own rows: the workspace's events; account events by its
    members; account events about them (failed attempts on their accounts, a password set for them)."""
    joined = Membership.objects.filter(workspace=workspace, joined_at__lte=OuterRef("created_at"))
    members = Membership.objects.filter(workspace=workspace)
    account = AuditEvent.objects.filter(workspace__isnull=True)
    return [
        AuditEvent.objects.filter(workspace=workspace),
        account.filter(actor__in=members.values("user_id")).filter(Exists(joined.filter(user_id=OuterRef("actor_id")))),
        account.filter(target_type=User._meta.model_name, target_id__in=members.values("user__public_id")).filter(
            Exists(joined.filter(user__public_id=OuterRef("target_id")))
        ),
    ]


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


ORDER = ("-created_at", "-id")


@dataclass(frozen=True)
class AuditEvents:
    """What one owner may read of one workspace's log under some filters; read it a page at a time
    (audit_page) or, for an export, iterate over all of it (a page of ITERATION_PAGE at a time)."""

    workspace: Workspace
    filters: AuditFilters

    ITERATION_PAGE = 500

    def keys(self, *, after: AuditPosition | None, limit: int) -> list[tuple[datetime, int]]:
        """(created_at, id) of the next `limit` events after `after`: each source limited on its own index, then
        merged (UNION, which also drops an event two sources share)."""
        filters = self.filters
        if self.workspace.audit_retention_days:
            kept_since = timezone.now() - timedelta(days=self.workspace.audit_retention_days)
            filters = replace(filters, since=max(filters.since or kept_since, kept_since))
        parts: list[QuerySet[AuditEvent, tuple[datetime, int]]] = []
        for source in _parts(self.workspace):
            events = _filtered(source, filters)
            if after is not None:
                events = events.filter(
                    Q(created_at__lt=after.created_at) | Q(created_at=after.created_at, id__lt=after.id)
                )
            keys = events.values_list("created_at", "id")
            # Each source stops at `limit` where the database allows it (PostgreSQL; SQLite sorts the union only).
            if connection.features.supports_slicing_ordering_in_compound:
                keys = keys.order_by(*ORDER)[:limit]
            else:
                keys = keys.order_by()
            parts.append(keys)
        merged = parts[0].union(*parts[1:]).order_by(*ORDER)
        return list(merged[:limit])

    def rows(self, *, after: AuditPosition | None, limit: int) -> list[AuditEvent]:
        ids = [pk for _, pk in self.keys(after=after, limit=limit)]
        return list(AuditEvent.objects.filter(id__in=ids).select_related("actor", "workspace").order_by(*ORDER))

    def __iter__(self) -> Iterator[AuditEvent]:
        after: AuditPosition | None = None
        while True:
            rows = self.rows(after=after, limit=self.ITERATION_PAGE)
            yield from rows
            if len(rows) < self.ITERATION_PAGE:
                return
            after = AuditPosition(created_at=rows[-1].created_at, id=rows[-1].pk)


def workspace_audit_events(
    *, actor: User | None, workspace: Workspace, filters: AuditFilters = AuditFilters()
) -> AuditEvents:
    """The events the workspace's owners see, newest first, filtered. Callers: the audit page, its exports and
    the REST API, for the signed-in person or token (actor); the operator (None).
    Raises: workspace_not_found, account_inactive, restricted_action (not an owner)."""
    access_workspace_owner(actor, workspace)
    return AuditEvents(workspace=workspace, filters=filters)


def audit_page(
    events: AuditEvents, *, after: AuditPosition | None, limit: int
) -> tuple[list[AuditEvent], AuditPosition | None]:
    """Up to `limit` events after `after` (newest first), and the position to continue from (None: the end)."""
    rows = events.rows(after=after, limit=limit + 1)
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], AuditPosition(created_at=last.created_at, id=last.pk)
