"""What a resuming client missed, in many channels at once.

A person comes back with the seq they saw in each of their channels, a dozen or a hundred of them,
and most have nothing new. Asked channel by channel (two ORM queries each), a resume cost more in
building queries than in running them, and a reconnect storm multiplied that by every socket
(docs/performance.md, A company's day). Here one statement finds the ids of everything missed in
every channel, each channel's share bounded on its own, and one query loads those messages for
chat.wire, only when there are any. SQLite, the embedded default, asks channel by channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.db import connection

from chat.models import Message
from chat.selectors.messages import messages_for_wire

MISSED, CHANGED = "m", "c"


@dataclass(frozen=True, slots=True)
class ReplayRange:
    """A channel the client saw up to `seen`, which has since reached `up_to`."""

    channel_id: int
    seen: int
    up_to: int


@dataclass(slots=True)
class ChannelMissed:
    """`missed`: the messages in (seen, up_to], by seq. `changed`: older messages (seq <= seen) changed
    while the channel was in [seen, up_to], by the seq of the change. Each at most the limit asked."""

    missed: list[Message] = field(default_factory=list)
    changed: list[Message] = field(default_factory=list)


@cache
def _missed_ids_sql() -> str:
    # unnest keeps the statement's text the same for any number of channels. Each LATERAL takes one
    # channel's rows from its index ((channel, seq), and message_changed for changes) and stops at the limit.
    message = Message._meta.db_table
    return f"""
        WITH r AS (
            SELECT * FROM unnest(%(channels)s::bigint[], %(seen)s::bigint[], %(up_to)s::bigint[])
                AS r(channel_id, seen, up_to)
        )
        SELECT r.channel_id, '{MISSED}', m.id FROM r CROSS JOIN LATERAL (
            SELECT id FROM {message} m
            WHERE m.channel_id = r.channel_id AND m.seq > r.seen AND m.seq <= r.up_to
            ORDER BY m.seq LIMIT %(limit)s
        ) m
        WHERE r.seen < r.up_to
        UNION ALL
        SELECT r.channel_id, '{CHANGED}', m.id FROM r CROSS JOIN LATERAL (
            SELECT id FROM {message} m
            WHERE m.channel_id = r.channel_id AND m.seq <= r.seen
              AND m.changed_at_seq >= r.seen AND m.changed_at_seq <= r.up_to
            ORDER BY m.changed_at_seq, m.seq LIMIT %(limit)s
        ) m
        WHERE r.seen > 0
    """


def _missed_ids_in_one_statement(ranges: list[ReplayRange], limit: int) -> list[tuple[int, str, int]]:
    params: dict[str, list[int] | int] = {
        "channels": [r.channel_id for r in ranges],
        "seen": [r.seen for r in ranges],
        "up_to": [r.up_to for r in ranges],
        "limit": limit,
    }
    with connection.cursor() as cursor:
        cursor.execute(_missed_ids_sql(), params)
        return [(channel_id, kind, pk) for channel_id, kind, pk in cursor.fetchall()]


def _missed_ids_by_channel(ranges: list[ReplayRange], limit: int) -> list[tuple[int, str, int]]:
    rows: list[tuple[int, str, int]] = []
    for r in ranges:
        in_channel = Message.objects.filter(channel_id=r.channel_id)
        if r.seen < r.up_to:
            missed = in_channel.filter(seq__gt=r.seen, seq__lte=r.up_to).order_by("seq")
            rows += [(r.channel_id, MISSED, pk) for pk in missed.values_list("pk", flat=True)[:limit]]
        if r.seen > 0:
            changed = in_channel.filter(
                seq__lte=r.seen, changed_at_seq__gte=r.seen, changed_at_seq__lte=r.up_to
            ).order_by("changed_at_seq", "seq")
            rows += [(r.channel_id, CHANGED, pk) for pk in changed.values_list("pk", flat=True)[:limit]]
    return rows


def missed_in_channels(ranges: list[ReplayRange], *, limit: int) -> dict[int, ChannelMissed]:
    """What a client missed in each of `ranges`' channels, keyed by channel pk (every range has an entry).

    The caller has already checked that the reader may see each channel. A channel with more than
    `limit` missed messages (or changes) gets the first `limit`: ask for one more to learn there are more.
    """
    result = {r.channel_id: ChannelMissed() for r in ranges}
    if not ranges:
        return result
    find = _missed_ids_in_one_statement if connection.vendor == "postgresql" else _missed_ids_by_channel
    rows = find(ranges, limit)
    if not rows:
        return result
    messages = messages_for_wire().in_bulk([pk for _, _, pk in rows])
    for channel_id, kind, pk in rows:
        message = messages.get(pk)
        if message is None:  # gone between the two reads (its channel was deleted)
            continue
        entry = result[channel_id]
        (entry.missed if kind == MISSED else entry.changed).append(message)
    for entry in result.values():
        entry.missed.sort(key=lambda message: message.seq)
        entry.changed.sort(key=lambda message: (message.changed_at_seq or 0, message.seq))
    return result
