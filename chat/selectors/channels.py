"""Channels and who is in them, as the reader may see them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from chat.models import Channel, ChannelKind, ChannelMember
from chat.permissions import access_channel, channel_not_found
from workspaces.models import Workspace

if TYPE_CHECKING:
    from accounts.models import User


def channel_get(*, actor: User | None, public_id: str, workspace: Workspace | None = None) -> Channel:
    """The channel with this public id if the actor may see it; channel_not_found otherwise."""
    channels = Channel.objects.select_related("workspace", "created_by")
    if workspace is not None:
        channels = channels.filter(workspace=workspace)
    channel = channels.filter(public_id=public_id).first() if isinstance(public_id, str) else None
    if channel is None:
        raise channel_not_found()
    access_channel(actor, channel)
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
