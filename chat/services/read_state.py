"""Read markers: how far each member has read each channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction

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
    channel.refresh_from_db(fields=["last_seq"])
    seq = min(seq, channel.last_seq)
    if member.last_read_seq == seq:
        return MarkedRead(member, unread_count_for_member(member))
    previous_seq, member.last_read_seq = member.last_read_seq, seq
    member.save(update_fields=["last_read_seq"])
    ts = unique_or_none(Message.objects.filter(channel=channel, seq=seq).values_list("ts", flat=True)) or ""
    unread_count = unread_count_for_member(member)
    events.send_channel_marked(channel, actor, seq=seq, ts=ts, unread_count=unread_count)
    read_marker_moved(channel=channel, actor=actor, previous_seq=previous_seq, seq=seq)
    return MarkedRead(member, unread_count)
