"""The soak's verdict, from the database (the cluster's primary) and from every client's record.

* every acknowledged post stored exactly once, at the seq it was acknowledged with (0 lost, 0 doubled);
* every stored message of a channel received by every client of that channel (all joined before the
  first post, and each resumed after every reconnect);
* one Notification row per (acknowledged @mention post, mentioned person);
* every outbox job due by now done (waited for, bounded), none failed.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

import psycopg

from bench.chaos.client import SoakPost
from bench.chaos.workload import Workload
from cluster.layout import Layout

OPEN_STATES = (0, 1)  # outbox.models.JobState PENDING, SENT
FAILED_STATE = 3


@dataclass
class Verdict:
    numbers: dict = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def check(self, name: str, passed: bool, detail: str) -> None:
        self.numbers.setdefault("checks", {})[name] = {"passed": passed, "detail": detail}
        if not passed:
            self.failures.append(f"{name}: {detail}")


def connect(layout: Layout) -> psycopg.Connection:
    return psycopg.connect(layout.database_url, autocommit=True, connect_timeout=5)


def drain_outbox(layout: Layout, timeout: float) -> tuple[float, dict[str, int]]:
    """Wait until no outbox job due by now is open; returns (seconds waited, counts by state)."""
    start = time.monotonic()
    while True:
        counts = outbox_counts(layout)
        if counts["due_open"] == 0 or time.monotonic() - start > timeout:
            return time.monotonic() - start, counts
        time.sleep(1.0)


def outbox_counts(layout: Layout) -> dict[str, int]:
    with connect(layout) as connection:
        row = connection.execute(
            "SELECT count(*) FILTER (WHERE state = ANY(%(open)s) AND due_at <= now()), "
            "count(*) FILTER (WHERE state = ANY(%(open)s) AND due_at > now()), "
            "count(*) FILTER (WHERE state = 2), count(*) FILTER (WHERE state = %(failed)s), count(*) "
            "FROM outbox_outboxjob",
            {"open": list(OPEN_STATES), "failed": FAILED_STATE},
        ).fetchone()
    assert row is not None  # an aggregate always has its row
    return dict(zip(("due_open", "later", "done", "failed", "total"), row, strict=True))


def outbox_stuck(layout: Layout) -> list[str]:
    """When the outbox did not drain: its open jobs by state and sendings (with when they were made, last
    sent and are next relayed), and the database sessions that wait or sit in a transaction, by process,
    so a failed soak says whether the relay, the broker or a worker held the jobs up."""
    with connect(layout) as connection:
        jobs = connection.execute(
            "SELECT state, attempts, count(*), min(created_at), max(created_at), max(sent_at), min(relay_at) "
            "FROM outbox_outboxjob WHERE state = ANY(%s) AND due_at <= now() GROUP BY 1, 2 ORDER BY 1, 2",
            [list(OPEN_STATES)],
        ).fetchall()
        sessions = connection.execute(
            "SELECT application_name, state, wait_event_type, wait_event, now() - xact_start, left(query, 120) "
            "FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() "
            "AND (wait_event_type = 'Lock' OR state LIKE 'idle in transaction%%')"
        ).fetchall()
    lines = [
        f"open jobs: state {state}, sent {attempts}x: {count}, made {first:%H:%M:%S}-{last:%H:%M:%S}, "
        f"last sent {sent:%H:%M:%S}, next relay {relay:%H:%M:%S}"
        if sent
        else f"open jobs: state {state}, never sent: {count}, made {first:%H:%M:%S}-{last:%H:%M:%S}, "
        f"next relay {relay:%H:%M:%S}"
        for state, attempts, count, first, last, sent, relay in jobs
    ]
    lines += [f"session {name}: {state}, waits {kind}/{event}, in transaction {age}: {query}"
              for name, state, kind, event, age, query in sessions]  # fmt: skip
    for process in ("outbox-relay", "celery-notifications"):
        log = layout.log_file(process).read_text(errors="replace").splitlines()
        complaints = [line for line in log if "WARNING" in line or "ERROR" in line or "CRITICAL" in line]
        lines += [f"{process} log, its last complaints and its last line:", *complaints[-6:], *log[-1:]]
    return lines


def verify(layout: Layout, workload: Workload, outbox: dict[str, int], verdict: Verdict) -> None:
    channels = list(workload.by_channel)
    with connect(layout) as connection:
        stored = connection.execute(
            "SELECT c.public_id, m.seq, m.client_msg_id FROM chat_message m "
            "JOIN chat_channel c ON c.id = m.channel_id WHERE c.public_id = ANY(%s)",
            [channels],
        ).fetchall()
        mention_ids = [p.client_msg_id for c in workload.clients for p in c.posts.values() if _mention(p)]
        notified = connection.execute(
            "SELECT m.client_msg_id, u.public_id, count(*) FROM notifications_notification n "
            "JOIN chat_message m ON m.id = n.message_id JOIN accounts_user u ON u.id = n.user_id "
            "WHERE m.client_msg_id = ANY(%s) GROUP BY 1, 2",
            [mention_ids],
        ).fetchall()
    _posts(workload, stored, verdict)
    _deliveries(workload, stored, verdict)
    _notifications(workload, notified, verdict)
    verdict.numbers["outbox"] = outbox
    verdict.check(
        "outbox_drained",
        outbox["due_open"] == 0 and outbox["failed"] == 0,
        f"{outbox['done']} done, {outbox['due_open']} due and not done, {outbox['failed']} failed, "
        f"{outbox['later']} due later",
    )


def _mention(post) -> bool:
    return isinstance(post, SoakPost) and post.mentions is not None and post.seq is not None


def _posts(workload: Workload, stored: list[tuple], verdict: Verdict) -> None:
    copies = Counter(cmid for _, _, cmid in stored if cmid)
    doubled = [cmid for cmid, n in copies.items() if n > 1]
    at = {(channel, cmid): seq for channel, seq, cmid in stored}
    acked = {(c.channel, p.client_msg_id): p.seq for c in workload.clients for p in c.posts.values() if p.seq}
    lost = [key for key, seq in acked.items() if at.get(key) != seq]
    never_acked = sum(len(c.unacknowledged) for c in workload.clients)
    stuck = [
        {"client": c.number, "posts": len(c.unacknowledged), "connected": c.connected.is_set(), "errors": c.errors[-2:]}
        for c in workload.clients
        if c.unacknowledged
    ]
    verdict.numbers["posts"] = {
        "acknowledged": len(acked),
        "stored": len(stored),
        "lost": len(lost),
        "duplicated": len(doubled),
        "never_acknowledged": never_acked,
        # Sockets the clients dropped, as the browser does, for leaving a resume or a ping unanswered.
        "sockets_dropped_unanswered": dict(Counter(why for c in workload.clients for why in c.unanswered)),
    }
    verdict.check("no_acknowledged_post_lost", not lost, f"{len(lost)} of {len(acked)} lost: {lost[:3]}")
    verdict.check("no_post_stored_twice", not doubled, f"{len(doubled)} client_msg_ids stored twice: {doubled[:3]}")
    verdict.check("every_post_acknowledged", never_acked == 0, f"{never_acked} posts never acknowledged: {stuck[:3]}")


def _deliveries(workload: Workload, stored: list[tuple], verdict: Verdict) -> None:
    seqs: dict[str, set[int]] = {}
    for channel, seq, _ in stored:
        seqs.setdefault(channel, set()).add(seq)
    missing = {c.number: sorted(seqs.get(c.channel, set()) - c.seen) for c in workload.clients}
    missing = {number: gaps for number, gaps in missing.items() if gaps}
    gapless = all(sorted(s) == list(range(1, len(s) + 1)) for s in seqs.values())
    expected = sum(len(seqs.get(c.channel, ())) for c in workload.clients)
    verdict.numbers["deliveries"] = {
        "expected": expected,
        "missing": sum(len(g) for g in missing.values()),
        "clients_missing_some": len(missing),
        "redundant_live_deliveries": sum(c.duplicates for c in workload.clients),
        "reconnects": sum(len(c.disconnects) for c in workload.clients),
    }
    sample = list(missing.items())[:3]
    verdict.check("every_message_delivered", not missing, f"{len(missing)} clients miss messages: {sample}")
    verdict.check("seqs_gapless", gapless, "stored seqs per channel are 1..n")


def _notifications(workload: Workload, notified: list[tuple], verdict: Verdict) -> None:
    rows = {(cmid, user): n for cmid, user, n in notified}
    expected = [
        (p.client_msg_id, p.mentions)
        for c in workload.clients
        for p in c.posts.values()
        if isinstance(p, SoakPost) and _mention(p)
    ]
    wrong = [(key, rows.get(key, 0)) for key in expected if rows.get(key, 0) != 1]
    verdict.numbers["notifications"] = {"mentions": len(expected), "wrong": len(wrong)}
    verdict.check("one_notification_per_mention", not wrong, f"{len(wrong)} of {len(expected)} mentions: {wrong[:3]}")
