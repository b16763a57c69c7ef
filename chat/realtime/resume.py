"""Resume: replay from the database what a client missed, so the socket loses nothing.

For each channel the client saw up to seq S, the replay is the messages with seq > S in seq
order (tombstones of deleted ones included, so the seqs run without a gap), bounded by
REPLAY_LIMIT with `has_more`, followed by the changes (edits, deletions, reactions, pins) made
to older messages while the channel was at S or later, as message_changed / message_deleted
events. A change the client already saw may be replayed; clients apply changes idempotently.

The seam with live events is exact because the socket is already subscribed: while a
channel replays, its live events are held, and afterwards the held message events whose seq
was replayed are dropped and the rest sent (see consumer.Connection.resume).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from chat import selectors
from chat.models import ChannelMember
from chat.realtime.queries import active_user, in_thread
from chat.wire import message_to_wire
from slackclone.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from accounts.models import User
    from chat.models import Channel, Message

REPLAY_LIMIT = 500


def _dumps(event: dict) -> str:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False)


@dataclass(slots=True)
class ChannelReplay:
    channel_id: str
    events: list[str] = field(default_factory=list)
    last_seq: int = 0  # the highest message seq replayed (or the client's own, if nothing was missed)
    has_more: bool = False


@dataclass(slots=True)
class Replay:
    channels: list[ChannelReplay] = field(default_factory=list)
    errors: dict[str, dict[str, str]] = field(default_factory=dict)


def change_event(message: Message, channel: Channel) -> dict:
    """The event a change to an older message replays as, shaped as chat.events sends it live."""
    if message.is_deleted:
        event = {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "channel": channel.public_id,
            "ts": message.ts,
            "deleted_ts": message.ts,
            "seq": message.changed_at_seq,
            "message_seq": message.seq,
        }
        if message.thread_root_id:
            event["thread_ts"] = message.thread_root.ts
        return event
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": channel.public_id,
        "ts": message.ts,
        "seq": message.changed_at_seq,
        "message": message_to_wire(message),
    }


def _replay_channel(user: User, workspace_id: int | None, channel_id: str, seen: int) -> ChannelReplay:
    channel = selectors.channel_get(actor=user, public_id=channel_id)
    if workspace_id is not None and channel.workspace_id != workspace_id:
        raise DomainError(ErrorCode.CHANNEL_NOT_FOUND, "Channel not found.")
    if not ChannelMember.objects.filter(channel=channel, user=user).exists():
        raise DomainError(ErrorCode.NOT_IN_CHANNEL, "You are not a member of this channel.")
    replay = ChannelReplay(channel_id=channel.public_id, last_seq=seen)
    missed = list(
        selectors.messages_for_wire().filter(channel=channel, seq__gt=seen).order_by("seq")[: REPLAY_LIMIT + 1]
    )
    if len(missed) > REPLAY_LIMIT:
        missed, replay.has_more = missed[:REPLAY_LIMIT], True
    for message in missed:
        replay.events.append(_dumps(message_to_wire(message)))
    if missed:
        replay.last_seq = missed[-1].seq
    changes = selectors.changes_since(channel=channel, seq=seen, limit=REPLAY_LIMIT + 1) if seen else []
    if len(changes) > REPLAY_LIMIT:
        changes, replay.has_more = changes[:REPLAY_LIMIT], True
    replay.events += [_dumps(change_event(message, channel)) for message in changes]
    return replay


@in_thread
def build_replay(user_pk: int, workspace_id: int | None, channels: dict[str, int]) -> Replay:
    """What the user missed in each channel; a channel they may not see is an error entry, never data."""
    result = Replay()
    user = active_user(user_pk)
    for channel_id, seen in channels.items():
        try:
            result.channels.append(_replay_channel(user, workspace_id, channel_id, seen))
        except DomainError as exc:
            result.errors[channel_id] = {"code": exc.code.value, "msg": exc.message}
    return result
