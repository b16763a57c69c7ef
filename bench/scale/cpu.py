"""Where the CPU goes during a run: each cluster process (with its children) and the benchmark's client.

On a machine whose cores are shared by the servers, the client, nginx and the databases, the ratio
between 1 and N ASGI processes depends on what everything else costs per delivery; this split shows
it, so a run explains its own speedup.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float, float] | None:
    """(parent pid, own CPU seconds, CPU seconds of reaped children) of a live process."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    own = (int(fields[11]) + int(fields[12])) / TICKS
    reaped = (int(fields[13]) + int(fields[14])) / TICKS
    return int(fields[1]), own, reaped


def snapshot(cluster_dir: Path) -> dict[str, float]:
    """CPU seconds so far per component: each pid file's process tree, and `client` (this process).

    A component is its process, its live descendants and its reaped children (PostgreSQL backends,
    Celery's pool, nginx's workers), so short-lived children are counted too.
    """
    roots: dict[int, str] = {}
    # Patroni's PostgreSQL servers are detached from it (their parent is init): each counts on its own.
    pid_files = [*cluster_dir.glob("*.pid"), *cluster_dir.glob("postgres/*/postmaster.pid")]
    for pid_file in pid_files:
        name = pid_file.stem if pid_file.name != "postmaster.pid" else f"postgres-{pid_file.parent.name}"
        try:
            roots[int(pid_file.read_text().split()[0])] = name
        except (ValueError, IndexError):
            continue
    stats = {int(entry): _stat(int(entry)) for entry in os.listdir("/proc") if entry.isdigit()}
    totals: dict[str, float] = {}
    for pid, stat in stats.items():
        if stat is None:
            continue
        owner = _owner(pid, stats, roots)
        if owner is None:
            continue
        _, own, reaped = stat
        totals[owner] = totals.get(owner, 0.0) + own + (reaped if pid in roots else 0.0)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    totals["client"] = usage.ru_utime + usage.ru_stime
    return totals


def _owner(pid: int, stats: dict, roots: dict[int, str]) -> str | None:
    for _ in range(32):
        if pid in roots:
            return roots[pid]
        stat = stats.get(pid)
        if stat is None or stat[0] <= 1:
            return None
        pid = stat[0]
    return None
