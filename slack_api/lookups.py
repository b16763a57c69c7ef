"""Resolving a method's arguments (channel ids or names, user ids, message ts) through the selectors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chat import selectors
from chat.models import ChannelKind, ChannelMember
from slack_api.core import Context, SlackError

if TYPE_CHECKING:
    from accounts.models import User
    from chat.models import Channel, Message

KIND_BY_TYPE = {
    "public_channel": ChannelKind.PUBLIC,
    "private_channel": ChannelKind.PRIVATE,
    "mpim": ChannelKind.GROUP_DM,
    "im": ChannelKind.DM,
}


def channel_arg(ctx: Context, key: str = "channel") -> Channel:
    """A channel by public id (C…/G…/D…) or by name (#name or name), as the caller may see it."""
    return channel_by_reference(ctx, ctx.args.str(key))


def history_channel_arg(ctx: Context, key: str = "channel") -> Channel:
    """channel_arg for reading history: an app's bot reads only conversations it was added to, public
    channels included (not_in_channel, as Slack answers), while a person reads any public channel."""
    channel = channel_arg(ctx, key)
    scoped = ctx.token is not None and ctx.token.scopes is not None
    if scoped and not ChannelMember.objects.filter(channel=channel, user=ctx.user).exists():
        raise SlackError("not_in_channel")
    return channel


def channel_by_reference(ctx: Context, raw: str) -> Channel:
    """channel_arg for a value taken from elsewhere (one item of a list argument)."""
    if not raw:
        raise SlackError("channel_not_found")
    if raw.startswith("#") or not raw[:1].isupper():
        return selectors.channel_get_by_name(actor=ctx.user, workspace=ctx.workspace, name=raw)
    return selectors.channel_get(actor=ctx.user, public_id=raw, workspace=ctx.workspace)


def user_by_id(ctx: Context, public_id: str) -> User:
    from workspaces.selectors import workspace_member_get

    return workspace_member_get(workspace=ctx.workspace, user_public_id=public_id).user


def user_arg(ctx: Context, key: str = "user", *, default_self: bool = False) -> User:
    raw = ctx.args.str(key)
    if not raw:
        if default_self:
            return ctx.user
        raise SlackError("user_not_found")
    return user_by_id(ctx, raw)


def message_arg(ctx: Context, channel: Channel, key: str = "ts", *, for_wire: bool = False) -> Message:
    ts = ctx.args.str(key)
    if not ts:
        raise SlackError("message_not_found")
    if for_wire:
        return selectors.message_get_for_wire(channel=channel, ts=ts)
    return selectors.message_get(channel=channel, ts=ts)


def types_arg(ctx: Context, default: str = "public_channel") -> list[str]:
    types = ctx.args.list("types") or default.split(",")
    kinds: list[str] = []
    for name in types:
        if name not in KIND_BY_TYPE:
            raise SlackError("invalid_types")
        kinds.append(KIND_BY_TYPE[name])
    return kinds
