"""Resume: replay from the database what a client missed, so the socket loses nothing.

For each channel the client saw up to seq S, the replay is the messages with seq > S in seq
order (tombstones of deleted ones included, so the seqs run without a gap), bounded by
REPLAY_LIMIT with `has_more`, followed by the changes (edits, deletions, reactions, pins) made
to older messages while the channel was at S or later, as message_changed / message_deleted
events. A change the client already saw may be replayed; clients apply changes idempotently.

A reconnect storm (a server restarting, a network blip) brings many members of a channel back
at once from the same seq: the replay of (channel, seen, last_seq) is the same for all of them,
so each process keeps the recent ones for a moment (replay_cache) and reads the database once.

The seam with live events is exact because the socket is already subscribed: while a
channel replays, its live events are held, and afterwards the held message events whose seq
was replayed are dropped and the rest sent (see connection.Connection.resume).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from django.db import connection

from accounts.models import User
from chat import selectors
from chat.events import message_changed_event, message_deleted_event
from chat.models import Channel, ChannelMember
from chat.wire import message_to_wire
from realtime.calls import active_user, in_thread
from realtime.event_types import MessageChangedEvent, MessageDeletedEvent
from realtime.replay_cache import CachedReplay, recent_replays
from realtime.transport import encode_event
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Membership

if TYPE_CHECKING:
    from chat.models import Message

REPLAY_LIMIT = 500


@dataclass(slots=True)
class ChannelReplay:
    channel_id: str
    events: list[str] = field(default_factory=list)
    last_seq: int = 0  # the highest message seq replayed (or the client's own, if nothing was missed)
    has_more: bool = False


@dataclass(frozen=True, slots=True)
class ReadableChannel:
    """A channel the user may replay, and how far it had got when that was checked."""

    pk: int
    public_id: str
    last_seq: int
    change_count: int


@dataclass(slots=True)
class Replay:
    channels: list[ChannelReplay] = field(default_factory=list)
    errors: dict[str, dict[str, str]] = field(default_factory=dict)


def change_event(message: Message) -> MessageChangedEvent | MessageDeletedEvent:
    """The event a change to an older message replays as: the live event's builder, with the change's seq."""
    seq = message.changed_at_seq or 0  # set on every change; a change query selects only changed messages
    if message.is_deleted:
        return message_deleted_event(message, seq=seq)
    return message_changed_event(message, seq=seq)


def _replay_channel(user: User, workspace_id: int | None, channel_id: str, seen: int) -> ChannelReplay:
    """The slow, precise path: for a channel the quick visibility check did not return, say exactly why."""
    channel = selectors.channel_get(actor=user, public_id=channel_id)
    if workspace_id is not None and channel.workspace_id != workspace_id:
        raise DomainError(ErrorCode.CHANNEL_NOT_FOUND, "Channel not found.")
    if not ChannelMember.objects.filter(channel=channel, user=user).exists():
        raise DomainError(ErrorCode.NOT_IN_CHANNEL, "You are not a member of this channel.")
    readable = ReadableChannel(channel.pk, channel.public_id, channel.last_seq, channel.change_count)
    return _replays_cached([(readable, seen)])[0]


_READABLE_CHANNELS_SQL = """
    SELECT c.id, c.public_id, c.last_seq, c.change_count
    FROM {channel} c
    JOIN {channel_member} cm ON cm.channel_id = c.id AND cm.user_id = %s
    JOIN {membership} m ON m.workspace_id = c.workspace_id AND m.user_id = cm.user_id AND m.is_active
    JOIN {user} u ON u.id = cm.user_id AND u.is_active
    WHERE c.public_id IN ({channel_ids}) {in_workspace}
"""


def _readable_channels(user_pk: int, workspace_id: int | None, channel_ids: list[str]) -> dict[str, ReadableChannel]:
    """The requested channels the user is in, in workspaces where user and membership are active.

    One SQL statement, not an ORM query: every resume runs it, all at once in a reconnect storm,
    and building the ORM query cost more than running it (docs/performance.md).
    """
    if not channel_ids:
        return {}
    sql = _READABLE_CHANNELS_SQL.format(
        channel=Channel._meta.db_table,
        channel_member=ChannelMember._meta.db_table,
        membership=Membership._meta.db_table,
        user=User._meta.db_table,
        channel_ids=", ".join(["%s"] * len(channel_ids)),
        in_workspace="" if workspace_id is None else "AND c.workspace_id = %s",
    )
    params: list[int | str] = [user_pk, *channel_ids, *([] if workspace_id is None else [workspace_id])]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[1]: ReadableChannel(*row) for row in cursor.fetchall()}


def _cached_replay(missed: list[Message], changed: list[Message], seen: int) -> CachedReplay:
    """The messages in (seen, last_seq] in seq order, then the changes to older ones made since, each
    read with one more than REPLAY_LIMIT to tell whether there is more."""
    has_more = len(missed) > REPLAY_LIMIT or len(changed) > REPLAY_LIMIT
    missed, changed = missed[:REPLAY_LIMIT], changed[:REPLAY_LIMIT]
    events = [encode_event(message_to_wire(message)) for message in missed]
    events += [encode_event(change_event(message)) for message in changed]
    return CachedReplay(tuple(events), missed[-1].seq if missed else seen, has_more)


def _replays_cached(wanted: list[tuple[ReadableChannel, int]]) -> list[ChannelReplay]:
    """The replay of each channel from its `seen`, in the order asked.

    Bounded by the channel's last_seq and change_count as read, a replay depends only on
    (channel, seen, last_seq, change_count), so each process builds it once for every socket resuming
    from that point (replay_cache); anything newer reaches the socket live (held meanwhile). The
    channels not in the cache are read together (chat.selectors.missed_in_channels).
    """
    keys = [(channel.pk, seen, channel.last_seq, channel.change_count) for channel, seen in wanted]
    replays = {key: recent_replays.get(key) for key in keys}
    to_read = [(channel, seen, key) for (channel, seen), key in zip(wanted, keys, strict=True) if replays[key] is None]
    if to_read:
        ranges = [selectors.ReplayRange(channel.pk, seen, channel.last_seq) for channel, seen, _ in to_read]
        missed = selectors.missed_in_channels(ranges, limit=REPLAY_LIMIT + 1)
        for channel, seen, key in to_read:
            replay = _cached_replay(missed[channel.pk].missed, missed[channel.pk].changed, seen)
            recent_replays.put(key, replay)
            replays[key] = replay
    result = []
    for (channel, _), key in zip(wanted, keys, strict=True):
        replay = cast(CachedReplay, replays[key])
        result.append(ChannelReplay(channel.public_id, list(replay.events), replay.last_seq, replay.has_more))
    return result


@in_thread
def build_replay(user_pk: int, workspace_id: int | None, channels: dict[str, int]) -> Replay:
    """What the user missed in each channel; a channel they may not see is an error entry, never data."""
    result = Replay()
    readable = _readable_channels(user_pk, workspace_id, list(channels))
    replayed = iter(_replays_cached([(readable[pk], seen) for pk, seen in channels.items() if pk in readable]))
    for channel_id, seen in channels.items():
        try:
            if channel_id in readable:
                result.channels.append(next(replayed))
            else:
                result.channels.append(_replay_channel(active_user(user_pk), workspace_id, channel_id, seen))
        except DomainError as exc:
            result.errors[channel_id] = {"code": exc.code.value, "msg": exc.message}
    return result
