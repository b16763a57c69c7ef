"""The soak's numbers: per fault, the writes refused while it lasted and the catch-up; post latency (send to
acknowledgement) outside the fault windows; and the table printed at the end.

A fault's window runs from a little before its kill (a post sent just before it may be answered by the
dying process) until every client was back in sync, or 30 s after the restart if they never were.
"""

from __future__ import annotations

from bench.chaos.checks import Verdict
from bench.chaos.client import SoakPost
from bench.chaos.faults import Fault
from bench.chaos.workload import Workload
from bench.stats import percentile

BEFORE_KILL = 2.0
UNSYNCED_WINDOW = 30.0


def window(fault: Fault) -> tuple[float, float] | None:
    if fault.killed_at is None:
        return None
    end = fault.synced_at or (fault.restarted_at or fault.killed_at) + UNSYNCED_WINDOW
    return fault.killed_at - BEFORE_KILL, end


def summarise_faults(workload: Workload, plan: list[Fault], started: float) -> list[dict]:
    refusals = [r for c in workload.clients for r in c.refusals]
    rows = []
    for fault in plan:
        span = window(fault)
        inside = sorted(r.at for r in refusals if span and span[0] <= r.at <= span[1])
        kinds: dict[str, int] = {}
        for r in refusals:
            if span and span[0] <= r.at <= span[1]:
                kinds[r.why] = kinds.get(r.why, 0) + 1
        rows.append(
            {
                "fault": fault.kind,
                "target": fault.target,
                "at_s": _rel(fault.killed_at, started),
                "down_s": _diff(fault.restarted_at, fault.killed_at),
                "refused_writes": len(inside),
                "refused_by_reason": kinds,
                "refused_for_s": round(inside[-1] - inside[0], 1) if inside else 0.0,
                "catch_up_s": _diff(fault.synced_at, fault.restarted_at),
                "detail": fault.detail,
                "error": fault.error,
            }
        )
    return rows


def latency_numbers(workload: Workload, plan: list[Fault]) -> dict:
    spans = [span for fault in plan if (span := window(fault))]
    inside: list[float] = []
    outside: list[float] = []
    for client in workload.clients:
        for post in client.posts.values():
            if isinstance(post, SoakPost) and post.first_sent and post.acked_at:
                latency = (post.acked_at - post.first_sent) * 1000
                hit = any(a <= post.first_sent <= b for a, b in spans)
                (inside if hit else outside).append(latency)
    return {
        "outside_faults": _percentiles(outside),
        "during_faults": _percentiles(inside),
    }


def _percentiles(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    return {
        "count": len(values),
        "p50": round(percentile(values, 50), 1),
        "p99": round(percentile(values, 99), 1),
        "max": round(max(values), 1),
    }


def _rel(at: float | None, started: float) -> float | None:
    return None if at is None else round(at - started, 1)


def _diff(later: float | None, earlier: float | None) -> float | None:
    return None if later is None or earlier is None else round(later - earlier, 1)


def print_table(rows: list[dict], latency: dict, verdict: Verdict) -> None:
    print(f"\n{'fault':<13}{'target':<22}{'at s':>7}{'down s':>8}{'refused':>9}{'for s':>7}{'catch-up s':>12}")
    for row in rows:
        print(
            f"{row['fault']:<13}{row['target'][:21]:<22}{_fmt(row['at_s']):>7}{_fmt(row['down_s']):>8}"
            f"{row['refused_writes']:>9}{row['refused_for_s']:>7.1f}{_fmt(row['catch_up_s']):>12}"
            + (f"  {row['detail']}" if row["detail"] else "")
            + (f"  ERROR {row['error']}" if row["error"] else "")
        )
    out, during = latency["outside_faults"], latency["during_faults"]
    print(f"\npost latency (send → ack) outside faults: p50 {out.get('p50')} ms, p99 {out.get('p99')} ms "
          f"({out['count']} posts); during faults: p99 {during.get('p99')} ms ({during['count']} posts)")  # fmt: skip
    for name, check in verdict.numbers.get("checks", {}).items():
        print(f"  {'ok  ' if check['passed'] else 'FAIL'} {name}: {check['detail']}")


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"
