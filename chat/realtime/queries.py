"""The gateway's database work, run in worker threads: every read through selectors, every write through services.

Each function takes the socket's user and, for a token, the one workspace it acts in; a channel
outside that workspace is as unknown as a private channel you are not in (channel_not_found).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from channels.db import DatabaseSyncToAsync

from chat import events, selectors, services
from chat.models import Channel, ChannelMember, Message
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Membership, Role

if TYPE_CHECKING:
    from accounts.models import User


def active_user(user_pk: int) -> User:
    """The socket's user, fresh from the database: a socket keeps only the key, and an account
    deactivated since the handshake can do nothing more even before its close arrives."""
    from accounts.models import User

    user = User.objects.filter(pk=user_pk).first()
    if user is None or not user.is_active:
        raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "This account has been deactivated.")
    return user


def in_thread(func):
    """Run `func` in the thread pool, not the one shared thread: the gateway's reads run side by side.

    Each worker thread has its own database connection; DatabaseSyncToAsync closes stale ones.
    """
    return DatabaseSyncToAsync(func, thread_sensitive=False)


@dataclass(frozen=True, slots=True)
class Subscriptions:
    groups: list[str]
    workspaces: list[str]  # public ids, for presence


@in_thread
def load_subscriptions(user_pk: int, workspace_id: int | None) -> Subscriptions:
    """The groups a socket listens to: the user, each active workspace (not for guests) and each channel.

    Guests are kept out of workspace groups: those carry news of public channels they may not see.
    """
    user = active_user(user_pk)
    memberships = Membership.objects.filter(user=user, is_active=True).select_related("workspace")
    if workspace_id is not None:
        memberships = memberships.filter(workspace_id=workspace_id)
    memberships = list(memberships)
    groups = [events.workspace_group(m.workspace) for m in memberships if m.role != Role.GUEST]
    channel_ids = (
        ChannelMember.objects.filter(user=user, channel__workspace__in=[m.workspace_id for m in memberships])
        .values_list("channel__public_id", flat=True)
        .order_by()
    )
    groups += [f"c.{public_id}" for public_id in channel_ids]
    return Subscriptions(groups=groups, workspaces=[m.workspace.public_id for m in memberships])


@in_thread
def check_live_groups(user_pk: int, workspace_id: int | None, groups: list[str]) -> list[str]:
    """The groups of a live subscribe that this socket may join.

    Services only subscribe members; this keeps guests out of workspace groups and a token's
    socket inside its workspace.
    """
    user = active_user(user_pk)
    allowed: list[str] = []
    for group in groups:
        kind, _, public_id = group.partition(".")
        if kind == "w":
            memberships = Membership.objects.filter(user=user, workspace__public_id=public_id, is_active=True)
            if workspace_id is not None:
                memberships = memberships.filter(workspace_id=workspace_id)
            if memberships.exclude(role=Role.GUEST).exists():
                allowed.append(group)
        elif kind == "c" and (
            workspace_id is None or Channel.objects.filter(public_id=public_id, workspace_id=workspace_id).exists()
        ):
            allowed.append(group)
    return allowed


def _visible_channel(user: User, workspace_id: int | None, channel_id: str) -> Channel:
    channel = selectors.channel_get(actor=user, public_id=channel_id)
    if workspace_id is not None and channel.workspace_id != workspace_id:
        raise DomainError(ErrorCode.CHANNEL_NOT_FOUND, "Channel not found.")
    return channel


@in_thread
def post_message(user_pk: int, workspace_id: int | None, data: dict[str, Any]) -> dict[str, Any]:
    """Post through chat.services.message_post; returns the reply's fields."""
    user = active_user(user_pk)
    channel = _visible_channel(user, workspace_id, data["channel"])
    message = services.message_post(
        sender=user,
        channel=channel,
        text=data["text"],
        thread_ts=data.get("thread_ts"),
        client_msg_id=data.get("client_msg_id"),
    )
    return {"channel": channel.public_id, "ts": message.ts, "seq": message.seq, "text": message.text}


@in_thread
def mark_read(user_pk: int, workspace_id: int | None, data: dict[str, Any]) -> dict[str, Any]:
    """Move the read marker through chat.services.channel_mark_read (by seq, or by a message's ts)."""
    user = active_user(user_pk)
    channel = _visible_channel(user, workspace_id, data["channel"])
    seq = data.get("seq")
    if seq is None:
        seq = Message.objects.filter(channel=channel, ts=data["ts"]).values_list("seq", flat=True).first()
        if seq is None:
            raise DomainError(ErrorCode.MESSAGE_NOT_FOUND, "No message has that ts in this channel.")
    member = services.channel_mark_read(actor=user, channel=channel, seq=seq)
    return {"channel": channel.public_id, "seq": member.last_read_seq}


@in_thread
def channel_seq(user_pk: int, workspace_id: int | None, channel_id: str) -> int:
    """The channel's last seq, for the user_typing event; the channel must be one the user is in."""
    user = active_user(user_pk)
    channel = _visible_channel(user, workspace_id, channel_id)
    if not ChannelMember.objects.filter(channel=channel, user=user).exists():
        raise DomainError(ErrorCode.NOT_IN_CHANNEL, "You are not a member of this channel.")
    return channel.last_seq
