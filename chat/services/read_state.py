"""Read markers: how far each member has read each channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection, transaction

from chat import events
from chat.models import Channel, ChannelMember, Message
from chat.permissions import access_own_channel_member
from chat.selectors import unread_count_for_member
from chat.services.read_receipts import read_marker_moved
from slackclone.errors import DomainError, ErrorCode
from slackclone.orm import unique_or_none

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True, slots=True)
class MarkedRead:
    """Where the marker stands now, and how many messages are unread after it (as the event says)."""

    member: ChannelMember
    unread_count: int

    @property
    def last_read_seq(self) -> int:
        return self.member.last_read_seq


@transaction.atomic
def channel_mark_read(*, actor: User, channel: Channel, seq: int) -> MarkedRead:
    """Move the actor's read marker to `seq` (forwards, or back to mark unread).

    A seq past the newest message is clamped to it. Returns the marker and the unread count after it,
    counted once for the event and the caller's answer.
    Callers: members of the channel.
    Raises: invalid_arguments (not a whole number >= 0), channel_not_found, not_in_channel.
    Events: channel_marked to the actor's other clients; read_receipts_changed to a small DM's members when
    it changes whether the actor has seen its last message (chat.services.read_receipts).
    """
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS, "seq must be a whole number of 0 or more.", fields={"seq": "invalid"}
        )
    member = access_own_channel_member(actor, channel)
    previous_seq = member.last_read_seq
    move = _move_marker(channel, member, seq)
    if not move.moved:
        return MarkedRead(member, move.unread_count)
    events.send_channel_marked(channel, actor, seq=member.last_read_seq, ts=move.ts, unread_count=move.unread_count)
    read_marker_moved(channel=channel, actor=actor, previous_seq=previous_seq, seq=member.last_read_seq)
    return MarkedRead(member, move.unread_count)


@dataclass(frozen=True, slots=True)
class _Move:
    moved: bool  # False: the marker was already there
    ts: str  # of the message at the marker ("" at 0)
    unread_count: int


# Clamp to the channel's last seq, move the marker if it is elsewhere, and read the marked message's ts
# and the unread count after it, in one statement: a person marks a channel read at every switch, and
# four ORM statements took longer to build than to run. Counting after the seq asked for is counting
# after the clamped one: no message is numbered above last_seq in this statement's snapshot.
_MOVE_MARKER_SQL = """
WITH target AS (
    SELECT LEAST(%(seq)s, c.last_seq) AS seq, c.last_seq FROM chat_channel c WHERE c.id = %(channel)s
), moved AS (
    UPDATE chat_channelmember m SET last_read_seq = target.seq FROM target
    WHERE m.id = %(member)s AND m.last_read_seq <> target.seq
    RETURNING m.id
)
SELECT target.seq, target.last_seq, EXISTS (SELECT 1 FROM moved),
    COALESCE((SELECT ts FROM chat_message WHERE channel_id = %(channel)s AND seq = target.seq), ''),
    (SELECT count(*) FROM chat_message m
      WHERE m.channel_id = %(channel)s AND m.seq > %(seq)s
        AND (m.thread_root_id IS NULL OR m.reply_broadcast) AND m.deleted_at IS NULL AND m.author_id <> %(user)s)
FROM target
"""


def _move_marker(channel: Channel, member: ChannelMember, seq: int) -> _Move:
    """Move `member`'s marker to `seq` (at most the channel's last seq); the caller's channel and member move on."""
    if connection.vendor != "postgresql":
        return _move_marker_in_steps(channel, member, seq)
    params = {"seq": seq, "channel": channel.pk, "member": member.pk, "user": member.user_id}
    with connection.cursor() as cursor:
        cursor.execute(_MOVE_MARKER_SQL, params)
        member.last_read_seq, channel.last_seq, moved, ts, unread_count = cursor.fetchone()
    return _Move(moved, ts, unread_count)


def _move_marker_in_steps(channel: Channel, member: ChannelMember, seq: int) -> _Move:
    """_move_marker through the ORM, for SQLite."""
    channel.refresh_from_db(fields=["last_seq"])
    seq = min(seq, channel.last_seq)
    moved = member.last_read_seq != seq
    if moved:
        member.last_read_seq = seq
        member.save(update_fields=["last_read_seq"])
    ts = unique_or_none(Message.objects.filter(channel=channel, seq=seq).values_list("ts", flat=True)) or ""
    return _Move(moved, ts, unread_count_for_member(member))
