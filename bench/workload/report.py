"""A step's row of figures, the run's table, and the head count it supports."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from bench.workload.checks import LossReport, latency

if TYPE_CHECKING:
    from bench.workload.company import Company
    from bench.workload.people import People

DELIVERY_P99_MS = 300.0
HTTP_P99_MS = 250.0
FAMILIES = ("history", "mark_read", "thread", "search", "reactions", "files", "post")
COMPONENTS = ("asgi", "postgres", "redis", "celery", "relay", "nginx", "load", "others")


def step_row(
    company: Company,
    people: People,
    losses: LossReport,
    cpu: dict,
    window_s: float,
    failed: int,
    active_s: float,
    *,
    per_asgi: dict[str, float] | None = None,
) -> dict:
    """The step's figures. `cpu` is per component (summing to the machine's busy time); `per_asgi` splits
    `asgi` per process where there are several (the cluster layout)."""
    deliveries = len(people.delivered)
    row = {
        "users": len(company.people_pks),
        "conversations": len(company.conversations),
        "seed_seconds": round(company.seconds, 1),
        "active_s": active_s,
        "window_s": round(window_s, 1),
        "actions": dict(people.counts),
        "posts": len(people.sent_conv),
        "deliveries": deliveries,
        "deliveries_per_s": round(deliveries / window_s, 1),
        **_latencies(people),
        "errors": dict(people.errors),
        "failed_handshakes": failed,
        **_losses(losses, people),
        **_cpu(cpu, per_asgi or {}, window_s, deliveries),
    }
    row["held"] = held(row)
    row["cpu_ceiling"] = cpu_ceiling(row, active_s, os.cpu_count() or 1)
    return row


def _latencies(people: People) -> dict:
    all_http = [value for values in people.http_ms.values() for value in values]
    all_socket = [value for values in people.socket_ms.values() for value in values]
    return {
        "delivery": latency(people.latencies),
        "delivery_by_size": {name: latency(values) for name, values in people.latencies_by_size.items()},
        "post_ack": latency(people.ack_ms),
        "replayed": people.replayed,
        "frames_received": sum(people.frames.values()),
        "frames_by_type": {kind.decode(): count for kind, count in people.frames.most_common()},
        "http_all": latency(all_http),
        "http": {family: latency(values) for family, values in sorted(people.http_ms.items())},
        "socket_requests": latency(all_socket),
        "socket": {kind: latency(values) for kind, values in sorted(people.socket_ms.items())},
        "worst_ms_by_second": {str(k): round(v, 1) for k, v in sorted(people.worst_by_second.items()) if k >= 0},
    }


def _losses(losses: LossReport, people: People) -> dict:
    return {
        "stored": losses.stored,
        "expected_deliveries": losses.expected,
        "lost": losses.lost,
        "lost_after_resume": losses.lost_after_resume,
        "not_stored": losses.not_stored,
        "duplicated": people.duplicates,
        "duplicated_after_resume": people.duplicates_after_resume,
    }


def _cpu(cpu: dict, per_asgi: dict[str, float], window_s: float, deliveries: int) -> dict:
    return {
        "cpu_seconds": cpu,
        "cpu_cores": {name: round(seconds / window_s, 3) for name, seconds in cpu.items()},
        "cpu_seconds_per_asgi": {name: round(seconds, 2) for name, seconds in per_asgi.items()},
        "cpu_cores_per_asgi": {name: round(seconds / window_s, 3) for name, seconds in per_asgi.items()},
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "load_cpu_us_per_delivery": round(cpu.get("load", 0.0) * 1e6 / deliveries, 1) if deliveries else None,
    }


def cpu_ceiling(row: dict, active_s: float, cores: int) -> dict:
    """What the step's CPU says about capacity, whatever else shared the machine: the CPU each connected
    person costs per minute of activity, and the head count at which the busiest ASGI process (the only one
    in the single layout) would use a whole core, or the stack (without the load generator) all `cores`.
    Latency targets hold below it."""
    person_minutes = row["users"] * active_s / 60
    cpu = row["cpu_seconds"]
    asgi_ms = cpu.get("asgi", 0.0) * 1000 / person_minutes
    per_process = row.get("cpu_seconds_per_asgi") or {"asgi": cpu.get("asgi", 0.0)}
    busiest_ms = max(per_process.values()) * 1000 / person_minutes
    stack_ms = sum(v for k, v in cpu.items() if k not in ("load", "others")) * 1000 / person_minutes
    return {
        "asgi_cpu_ms_per_person_minute": round(asgi_ms, 2),
        "stack_cpu_ms_per_person_minute": round(stack_ms, 2),
        "one_asgi_core_users": round(60_000 / busiest_ms) if busiest_ms else None,
        "all_cores_users": round(cores * 60_000 / stack_ms) if stack_ms else None,
    }


def held(row: dict) -> bool:
    """The step's targets. A resumed socket may be sent again what reached it between its hello and its
    resume (docs/protocol.md: clients apply a replay idempotently), so only other duplicates count."""
    delivery, http = row["delivery"]["p99_ms"], row["http_all"]["p99_ms"]
    socket = row.get("socket_requests", {}).get("p99_ms")  # a request on the socket is held to HTTP's target
    return (
        delivery is not None
        and delivery <= DELIVERY_P99_MS
        and (http is None or http <= HTTP_P99_MS)
        and (socket is None or socket <= HTTP_P99_MS)
        and not row["errors"]
        and row["lost"] == 0
        and row["lost_after_resume"] == 0
        and row["not_stored"] == 0
        and row["duplicated"] == row["duplicated_after_resume"]
    )


def supported_users(steps: list[dict]) -> int:
    """The people of the last step held before the first that was not (steps in the order run)."""
    supported = 0
    for row in steps:
        if not row["held"]:
            break
        supported = row["users"]
    return supported


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _cpu_detail(steps: list[dict]) -> list[str]:
    """The cluster's cores beyond the table's columns: each ASGI process, and etcd and Prometheus."""
    lines: list[str] = []
    per_asgi = [r for r in steps if len(r.get("cpu_cores_per_asgi") or {}) > 1]
    if per_asgi:
        lines += ["", "Cores per ASGI process:"]
        lines += [
            f"{r['users']:>6}  " + ", ".join(f"{n} {c:.2f}" for n, c in r["cpu_cores_per_asgi"].items())
            for r in per_asgi
        ]
    others = [r for r in steps if set(r["cpu_cores"]) - set(COMPONENTS)]
    if others:
        lines += ["", "Cores of the stack's other processes:"]
        lines += [
            f"{r['users']:>6}  " + ", ".join(f"{n} {c:.2f}" for n, c in r["cpu_cores"].items() if n not in COMPONENTS)
            for r in others
        ]
    return lines


def table(steps: list[dict]) -> str:
    header = (
        f"{'users':>6}{'posts':>7}{'deliv':>8}{'dlv p50':>8}{'dlv p99':>8}{'http p50':>9}{'http p99':>9}"
        f"{'errors':>7}{'lost':>6}{'dup':>5}  {'cores: ' + ' '.join(c[:5] for c in COMPONENTS):<54}{'us/dlv':>7}  held"
    )
    lines = [header, "-" * len(header)]
    for r in steps:
        cores = " ".join(f"{r['cpu_cores'].get(c, 0.0):>5.2f}" for c in COMPONENTS)
        lines.append(
            f"{r['users']:>6}{r['posts']:>7}{r['deliveries']:>8}{_ms(r['delivery']['p50_ms']):>8}"
            f"{_ms(r['delivery']['p99_ms']):>8}{_ms(r['http_all']['p50_ms']):>9}{_ms(r['http_all']['p99_ms']):>9}"
            f"{sum(r['errors'].values()):>7}{r['lost'] + r['lost_after_resume']:>6}"
            f"{r['duplicated'] - r.get('duplicated_after_resume', 0):>5}  "
            f"{'       ' + cores:<54}{r['load_cpu_us_per_delivery'] or 0:>7.0f}  {'yes' if r['held'] else 'no'}"
        )
    lines += _cpu_detail(steps)
    lines += ["", "CPU per person per minute (ASGI / whole stack) and the head counts it allows:"]
    for r in steps:
        c = r["cpu_ceiling"]
        lines.append(
            f"{r['users']:>6}  {c['asgi_cpu_ms_per_person_minute']:.1f} / {c['stack_cpu_ms_per_person_minute']:.1f} ms:"
            f" an ASGI core full at {c['one_asgi_core_users']} people, all cores at {c['all_cores_users']}"
            + (f"; {r['frames_received']} frames received" if "frames_received" in r else "")
        )
    lines += ["", "HTTP p50/p99 ms (n) per route family:"]
    for r in steps:
        parts = [f"{f} {_ms(v['p50_ms'])}/{_ms(v['p99_ms'])} ({v['n']})" for f in FAMILIES if (v := r["http"].get(f))]
        lines.append(f"{r['users']:>6}  " + ", ".join(parts))
    if any(r.get("socket") for r in steps):
        lines += ["", "Socket requests p50/p99 ms (n), frame to reply (posts: post_ack in the JSON):"]
        for r in steps:
            socket = r.get("socket", {})
            parts = [f"{kind} {_ms(v['p50_ms'])}/{_ms(v['p99_ms'])} ({v['n']})" for kind, v in socket.items()]
            lines.append(f"{r['users']:>6}  " + ", ".join(parts))
    if any(r.get("delivery_by_size") for r in steps):
        lines += ["", "Delivery p50/p99 ms (n) by the conversation's members:"]
        for r in steps:
            by_size = r.get("delivery_by_size", {}).items()
            parts = [f"{name} {_ms(v['p50_ms'])}/{_ms(v['p99_ms'])} ({v['n']})" for name, v in by_size if v["n"]]
            lines.append(f"{r['users']:>6}  " + ", ".join(parts))
    if any(r.get("worst_ms_by_second") for r in steps):
        lines += ["", f"Seconds of the run whose worst latency passed {DELIVERY_P99_MS:.0f} ms (second: ms):"]
        for r in steps:
            slow = [f"{s}: {ms:.0f}" for s, ms in r.get("worst_ms_by_second", {}).items() if ms > DELIVERY_P99_MS]
            lines.append(f"{r['users']:>6}  " + (", ".join(slow) or "none"))
    errors = [f"{r['users']:>6}  {r['errors']}" for r in steps if r["errors"]]
    if errors:
        lines += ["", "Errors by code:", *errors]
    return "\n".join(lines)
