"""What a step measured, read back: deliveries checked against the database, latencies summarised.

The database is the source of truth: every message stored in a conversation during the step should
have reached the socket of each of its members that stayed connected throughout. Sockets that were
dropped and resumed are checked too, but counted apart (their gap is the resume's to fill).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bench.stats import percentile

MARK_PREFIX = "wl~"


@dataclass
class LossReport:
    stored: int = 0  # messages of the step found in the database
    expected: int = 0  # (message, socket connected throughout) pairs
    lost: int = 0
    lost_after_resume: int = 0
    not_stored: int = 0  # posted indices the database does not have


def stored_posts(workspace_pk: int) -> list[tuple[int, str]]:
    """(channel pk, text) of the step's posts in the company's workspace."""
    from chat.models import Message

    rows = Message.objects.filter(channel__workspace_id=workspace_pk, text__startswith=MARK_PREFIX)
    return list(rows.values_list("channel_id", "text"))


def post_index(text: str) -> int:
    return int(text[len(MARK_PREFIX) : text.index("~", len(MARK_PREFIX))])


def check_losses(
    stored: Iterable[tuple[int, str]],
    members_by_channel: dict[int, list[int]],
    delivered: set[int],
    reconnected: bytearray,
    posted: int,
    connected: bytearray | None = None,
) -> LossReport:
    """Compare what the database holds with what each member's socket received (`delivered` holds
    index << 16 | person). `connected` marks the people who had a socket at the start (all by default)."""
    report = LossReport()
    seen_indices = set()
    for channel_pk, text in stored:
        index = post_index(text)
        seen_indices.add(index)
        report.stored += 1
        for person in members_by_channel.get(channel_pk, ()):
            if connected is not None and not connected[person]:
                continue
            got = (index << 16 | person) in delivered
            if reconnected[person]:
                report.lost_after_resume += 0 if got else 1
                continue
            report.expected += 1
            report.lost += 0 if got else 1
    report.not_stored = sum(1 for index in range(posted) if index not in seen_indices)
    return report


def latency(values_ms: Iterable[float]) -> dict:
    ordered = sorted(values_ms)
    if not ordered:
        return {"n": 0, "p50_ms": None, "p99_ms": None, "max_ms": None}
    return {
        "n": len(ordered),
        "p50_ms": round(percentile(ordered, 50), 1),
        "p99_ms": round(percentile(ordered, 99), 1),
        "max_ms": round(ordered[-1], 1),
    }
