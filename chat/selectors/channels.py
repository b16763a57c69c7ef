"""Channels and who is in them, as the reader may see them."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from chat.models import NAMED_KINDS, Channel, ChannelKind, ChannelMember
from chat.permissions import (
    STANDING_MEMBER,
    STANDING_MEMBERSHIP,
    access_channel,
    channel_not_found,
    check_channel_access,
)
from slackclone.rawsql import Columns, split_row
from workspaces.models import Membership, Workspace

_CHANNEL = Columns(Channel, "c")
_WORKSPACE = Columns(Workspace, "w")
_CREATOR = Columns(User, "u")


@cache
def _channel_access_sql(*, within_workspace: bool) -> str:
    return f"""
        SELECT {_CHANNEL.sql}, {_WORKSPACE.sql}, {_CREATOR.sql}, {STANDING_MEMBERSHIP.sql}, {STANDING_MEMBER.sql}
        FROM {Channel._meta.db_table} c
        JOIN {Workspace._meta.db_table} w ON w.id = c.workspace_id
        LEFT JOIN {User._meta.db_table} u ON u.id = c.created_by_id
        LEFT JOIN {Membership._meta.db_table} m ON m.workspace_id = c.workspace_id AND m.user_id = %(actor)s
        LEFT JOIN {ChannelMember._meta.db_table} cm ON cm.channel_id = c.id AND cm.user_id = %(actor)s
        WHERE c.public_id = %(public_id)s {"AND c.workspace_id = %(workspace)s" if within_workspace else ""}
    """


def channel_get(*, actor: User | None, public_id: str, workspace: Workspace | None = None) -> Channel:
    """The channel with this public id if the actor may see it; channel_not_found otherwise.

    Every channel-scoped API call starts here, so for a person it is one SQL statement (slackclone.rawsql):
    the channel with its workspace and creator, and the actor's workspace and channel memberships,
    judged by chat.permissions.check_channel_access.
    """
    return channel_get_with_member(actor=actor, public_id=public_id, workspace=workspace)[0]


def channel_get_with_member(
    *, actor: User | None, public_id: str, workspace: Workspace | None = None
) -> tuple[Channel, ChannelMember | None]:
    """As channel_get, with the actor's own row in the channel, read by the same statement: None when they
    are not in it (a public channel they may see, or the operator)."""
    if not isinstance(public_id, str):
        raise channel_not_found()
    if actor is None:
        return _channel_get_for_operator(public_id, workspace), None
    params: dict[str, int | str | None] = {
        "actor": actor.pk,
        "public_id": public_id,
        "workspace": workspace.pk if workspace else None,
    }
    with connection.cursor() as cursor:
        cursor.execute(_channel_access_sql(within_workspace=workspace is not None), params)
        row = cursor.fetchone()
    if row is None:
        raise channel_not_found()
    channel: Channel
    channel, channel_workspace, creator, membership, member = split_row(
        row, _CHANNEL, _WORKSPACE, _CREATOR, STANDING_MEMBERSHIP, STANDING_MEMBER
    )
    channel.workspace = channel_workspace
    if creator is not None:
        channel.created_by = creator
    check_channel_access(actor, channel, membership, member)
    return channel, member


def _channel_get_for_operator(public_id: str, workspace: Workspace | None) -> Channel:
    channels = Channel.objects.select_related("workspace", "created_by")
    if workspace is not None:
        channels = channels.filter(workspace=workspace)
    channel = channels.filter(public_id=public_id).first()
    if channel is None:
        raise channel_not_found()
    return channel


def channel_get_by_name(*, actor: User | None, workspace: Workspace, name: str) -> Channel:
    channel = (
        Channel.objects.select_related("workspace", "created_by")
        .filter(workspace=workspace, name=(name or "").strip().removeprefix("#"))
        .first()
    )
    if channel is None:
        raise channel_not_found()
    access_channel(actor, channel)
    return channel


def user_channel_memberships(*, user: User, workspace: Workspace | None = None) -> QuerySet[ChannelMember]:
    """The user's channels (and DMs), in workspaces where the user is active."""
    members = ChannelMember.objects.filter(
        user=user,
        channel__workspace__memberships__user=user,
        channel__workspace__memberships__is_active=True,
    ).select_related("channel__workspace", "channel__created_by")
    if workspace is not None:
        members = members.filter(channel__workspace=workspace)
    return members


def public_channels(*, workspace: Workspace, include_archived: bool = False) -> QuerySet[Channel]:
    channels = Channel.objects.filter(workspace=workspace, kind=ChannelKind.PUBLIC).select_related("created_by")
    if not include_archived:
        channels = channels.filter(is_archived=False)
    return channels.order_by("name")


def visible_channel_ids(*, user: User, workspace: Workspace, is_guest: bool) -> list[int]:
    """Database ids of every channel of the workspace whose messages the user may read.

    The user's own channels and DMs; for everyone but guests, every public channel too
    (chat.permissions.access_channel, applied in bulk). Used by search and the mentions inbox.
    """
    own = ChannelMember.objects.filter(user=user, channel__workspace=workspace).values_list("channel_id", flat=True)
    ids = set(own)
    if not is_guest:
        ids.update(Channel.objects.filter(workspace=workspace, kind=ChannelKind.PUBLIC).values_list("id", flat=True))
    return sorted(ids)


def readable_channels(*, user: User, workspace: Workspace, is_guest: bool) -> QuerySet[Channel]:
    """visible_channel_ids' rule as a query, to narrow another one without loading every public channel:
    the workspace's channels the user is in, and for everyone but guests its public channels too."""
    mine = ChannelMember.objects.filter(channel=OuterRef("pk"), user=user)
    readable = Q(Exists(mine)) if is_guest else Q(Exists(mine)) | Q(kind=ChannelKind.PUBLIC)
    return Channel.objects.filter(workspace=workspace).filter(readable)


def channel_members_page(*, channel: Channel, after: str | None = None, limit: int = 100) -> list[ChannelMember]:
    """A page of a channel's members by user public id (keyset). The caller has checked visibility."""
    members = ChannelMember.objects.filter(channel=channel).select_related("user")
    if after:
        members = members.filter(user__public_id__gt=after)
    return list(members.order_by("user__public_id")[:limit])


def public_channels_page(
    *, workspace: Workspace, after: str | None = None, limit: int = 100, include_archived: bool = False
) -> list[Channel]:
    """A page of the workspace's public channels by name (keyset), for browsing."""
    channels = public_channels(workspace=workspace, include_archived=include_archived)
    if after:
        channels = channels.filter(name__gt=after)
    return list(channels[:limit])


def channel_has_more_members_than(*, channel: Channel, limit: int) -> bool:
    """Whether more than `limit` people are in the channel, counting no further than limit + 1 rows."""
    return ChannelMember.objects.filter(channel=channel)[: limit + 1].count() > limit


def reactions_live_to_viewers_only(*, channel: Channel) -> bool:
    """Whether the channel's reactions go live only to the sockets that show it: a named channel of more
    than settings.LIVE_REACTIONS_MAX_CHANNEL_MEMBERS members (DMs never), whose every reaction would
    otherwise be a frame on every member's socket (docs/protocol.md, What a socket shows)."""
    return channel.kind in NAMED_KINDS and channel_has_more_members_than(
        channel=channel, limit=settings.LIVE_REACTIONS_MAX_CHANNEL_MEMBERS
    )
