"""What a search may look at: the searcher's visible channels, narrowed by the modifiers.

Every modifier resolves within what the searcher may see, so in:#secret for a private channel
they are not in finds nothing, exactly as for a channel that does not exist.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from chat.models import Attachment, Channel, Message, Pin, Reaction
from chat.search.query import ParsedQuery
from chat.selectors import visible_channel_ids
from chat.selectors.people import people_view_of
from slackclone.ids import DM_PREFIX
from workspaces.models import Membership

if TYPE_CHECKING:
    from accounts.models import User
    from workspaces.models import Workspace

LINK_RE = r"(https?|ftp)://|<mailto:"


@dataclass
class Scope:
    """The channels to search (database ids) and the ORM filters for the other modifiers."""

    channel_ids: list[int]
    filters: Q
    single_channel: bool


def _resolve_people(workspace: Workspace, user: User, names: list[str]) -> set[int]:
    """The people `from:`/`with:` names, among those the searcher may see; a full email address
    matches only where the searcher may see addresses (otherwise it would confirm one)."""
    ids: set[int] = set()
    view = people_view_of(actor=user, workspace=workspace)
    members = view.members()
    for raw in names:
        name = raw.strip("<>").removeprefix("@").split("|", 1)[0]
        if name.lower() == "me":
            ids.add(user.pk)
            continue
        query = Q(user__public_id=name) | Q(user__display_name__iexact=name) | Q(user__email__istartswith=f"{name}@")
        if view.sees_emails:
            query |= Q(user__email__iexact=name)
        matches = members.filter(query)
        ids.update(matches.values_list("user_id", flat=True))
    return ids


def _resolve_channels(workspace: Workspace, user: User, names: list[str]) -> set[int]:
    ids: set[int] = set()
    for raw in names:
        value = raw.strip("<>").split("|", 1)[0]
        if value.startswith("@"):
            people = _resolve_people(workspace, user, [value])
            keys = {",".join(sorted({user.public_id, public_id})) for public_id in _public_ids(people)}
            ids.update(Channel.objects.filter(workspace=workspace, dm_key__in=keys).values_list("id", flat=True))
            continue
        name = value.removeprefix("#")
        query = Q(name=name.lower())
        if name[:1] in ("C", "G", DM_PREFIX) and name.isupper():
            query |= Q(public_id=name)
        ids.update(Channel.objects.filter(workspace=workspace).filter(query).values_list("id", flat=True))
    return ids


def _public_ids(user_pks: set[int]) -> list[str]:
    from accounts.models import User

    return list(User.objects.filter(pk__in=user_pks).values_list("public_id", flat=True))


def _day_start(day: date, tz: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def _date_filters(parsed: ParsedQuery, tz: zoneinfo.ZoneInfo) -> Q:
    filters = Q()
    if parsed.on:
        filters &= Q(created_at__gte=_day_start(parsed.on, tz), created_at__lt=_day_start(parsed.on + timedelta(1), tz))
    if parsed.before:
        filters &= Q(created_at__lt=_day_start(parsed.before, tz))
    if parsed.after:
        filters &= Q(created_at__gte=_day_start(parsed.after + timedelta(1), tz))
    return filters


def build_scope(*, user: User, workspace: Workspace, membership: Membership, parsed: ParsedQuery) -> Scope:
    visible = set(visible_channel_ids(user=user, workspace=workspace, is_guest=membership.is_guest))
    if parsed.channels:
        visible &= _resolve_channels(workspace, user, parsed.channels)
    filters = Q(deleted_at__isnull=True) & _date_filters(parsed, zoneinfo.ZoneInfo(user.timezone or "UTC"))
    if parsed.people:
        filters &= Q(author_id__in=_resolve_people(workspace, user, parsed.people))
    if "link" in parsed.has:
        filters &= Q(text__iregex=LINK_RE)
    if "file" in parsed.has:
        filters &= Q(Exists(Attachment.objects.filter(message=OuterRef("pk"))))
    if "reaction" in parsed.has:
        filters &= Q(Exists(Reaction.objects.filter(message=OuterRef("pk"))))
    if "pin" in parsed.has:
        filters &= Q(Exists(Pin.objects.filter(message=OuterRef("pk"))))
    if parsed.is_thread:
        filters &= Q(thread_root__isnull=False) | Q(reply_count__gt=0)
    return Scope(channel_ids=sorted(visible), filters=filters, single_channel=len(visible) == 1)


def scoped_messages(scope: Scope) -> QuerySet[Message]:
    return Message.objects.filter(channel_id__in=scope.channel_ids).filter(scope.filters)
