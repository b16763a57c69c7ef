"""Scale-out benchmark: the fan-out ladder and idle sockets through nginx, for 1, 2, … ASGI processes.

    python -m bench.scale                      # 1 and 2 processes (about 5 minutes on 2 cores)
    python -m bench.scale --processes 1,2,4    # on a larger machine
    python -m bench.scale --quick              # small numbers, to check that everything runs

For each process count it starts a loopback cluster of its own (cluster.up: nginx, N Uvicorn processes,
two channel-layer Redis shards, a PostgreSQL pair under Patroni, Celery) in var/cluster-bench, and drives
it with bench/fanout's client and scenarios, through nginx: N clients in one channel while messages are
posted (each stored through message_post) at a ladder of rates; the highest delivery rate held at
p99 <= 250 ms with nothing lost; and how many idle sockets the processes hold, and their memory.
Prints a table and writes bench/results/scale.json, which bench/capacity reads.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.fanout import stack
from bench.fanout.__main__ import best_rates, table
from bench.fanout.scenarios import Server, idle_memory, rate_ladder
from bench.fanout.seed import BenchData
from bench.scale import cpu
from cluster.down import read_pid, stop_cluster
from cluster.layout import BASE_DIR, Layout, asgi_name
from cluster.up import start_cluster
from slackclone.testing.processes import free_port

RESULTS = Path(__file__).resolve().parents[1] / "results" / "scale.json"
CLUSTER_DIR = BASE_DIR / "var" / "cluster-bench"
SEED = (
    "import django, json; django.setup(); from bench.fanout.seed import seed; from dataclasses import asdict; "
    "print(json.dumps(asdict(seed({members}))))"
)


@dataclass(kw_only=True)
class ClusterServer(Server):
    """The cluster behind nginx, seen by bench/fanout's scenarios as one server: memory and CPU are summed."""

    layout: Layout

    def pids(self) -> list[int]:
        pids = [read_pid(self.layout.pid_file(asgi_name(i))) for i in range(len(self.layout.asgi_ports))]
        if None in pids:
            raise RuntimeError("An ASGI process of the cluster has no pid file: is the cluster running?")
        return [pid for pid in pids if pid is not None]

    def rss(self) -> int:
        return sum(stack.rss_kib(pid) for pid in self.pids())

    def cpu_seconds(self) -> float:
        return sum(stack.cpu_seconds(pid) for pid in self.pids())

    def cpu_by_component(self) -> dict[str, float]:
        return cpu.snapshot(CLUSTER_DIR)

    def stop(self) -> None:
        stop_cluster(CLUSTER_DIR)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", default="1,2", help="ASGI process counts to measure")
    parser.add_argument("--clients", type=int, default=1000, help="clients in the channel for the ladder")
    parser.add_argument("--rates", default="1,2,4,6,8,10,15,20,25,30,35,40", help="messages per second, the ladder")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds of posting per rate")
    parser.add_argument("--idle", type=int, default=4000, help="idle sockets to open")
    parser.add_argument("--quick", action="store_true", help="small numbers, to check that everything runs")
    args = parser.parse_args()
    if args.quick:
        args.clients, args.rates, args.duration, args.idle = 100, "2,5", 2.0, 200
    return args


def seed(layout: Layout, members: int) -> BenchData:
    result = subprocess.run(
        [sys.executable, "-c", SEED.format(members=members)],
        cwd=BASE_DIR,
        env=layout.env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return BenchData(**json.loads(result.stdout.strip().splitlines()[-1]))


async def measure(processes: int, args: argparse.Namespace) -> dict:
    stop_cluster(CLUSTER_DIR)
    layout = start_cluster(CLUSTER_DIR, nginx_port=free_port(), asgi=processes)
    try:
        data = seed(layout, max(args.clients + 40, args.idle))
        # "slackclone…": bench/fanout's scenarios speak our protocol to it (not the baseline's).
        server = ClusterServer(f"slackclone×{processes}", data, port=layout.nginx_port, layout=layout)
        idle = await idle_memory(server, args.idle)
        print(f"{processes} ASGI: {idle['connections']} idle sockets held, {idle['kib_per_connection']:.1f} KiB each")
        rows = await rate_ladder(server, args.clients, [int(r) for r in args.rates.split(",")], args.duration)
        print(table(rows), flush=True)
        for row in rows:  # where the cores went at each rate: what a second process competes with
            cores = row.get("cpu_cores", {})
            split = ", ".join(f"{name} {used:.2f}" for name, used in cores.items() if used >= 0.01)
            print(f"  {row['rate']:>3} msg/s, cores used: {split}")
    finally:
        stop_cluster(CLUSTER_DIR)
    return {"processes": processes, "idle": idle, "rows": rows, "best": best_rates(rows)}


def cpu_per_delivery(row: dict) -> tuple[float, float] | None:
    """Microseconds of CPU per delivery at one rate: the ASGI processes', and the rest of the stack's
    (nginx, the client, PostgreSQL, Redis, Celery), which shares this machine's cores with them."""
    cores, window = row.get("cpu_cores"), row.get("cpu_window_s")
    if not cores or not window or not row["deliveries"]:
        return None
    asgi = sum(used for name, used in cores.items() if name.startswith("asgi-"))
    per_delivery = window * 1e6 / row["deliveries"]
    return asgi * per_delivery, (sum(cores.values()) - asgi) * per_delivery


def ceiling(processes: int, asgi_us: float, rest_us: float, cores: int) -> float:
    """Deliveries/s these costs allow: each ASGI process at most one core, everything at most `cores`."""
    return min(processes * 1e6 / asgi_us, cores * 1e6 / (asgi_us + rest_us))


def summary(runs: list[dict]) -> list[dict]:
    lines = []
    for run in runs:
        best: dict[str, Any] = next(iter(run["best"].values()), {"rate": 0, "deliveries_per_s": 0.0, "p99_ms": None})
        held_row = next((row for row in run["rows"] if row["rate"] == best["rate"] and row["held"]), None)
        costs = cpu_per_delivery(held_row) if held_row else None
        lines.append(
            {
                "processes": run["processes"],
                "held_deliveries_per_s": round(best["deliveries_per_s"]),
                "held_rate_msg_s": best["rate"],
                "p99_ms_at_held": best["p99_ms"],
                "idle_sockets_held": run["idle"]["connections"],
                "kib_per_idle_socket": round(run["idle"]["kib_per_connection"], 1),
                "asgi_cpu_us_per_delivery": round(costs[0], 1) if costs else None,
                "rest_cpu_us_per_delivery": round(costs[1], 1) if costs else None,
            }
        )
    return lines


def bounds(lines: list[dict], cores: int) -> dict:
    """What the measured costs allow, against the first process count: on this machine's cores, and
    with a core per process (the servers' own scaling, which separate machines would show)."""
    first = lines[0]
    if not first["asgi_cpu_us_per_delivery"]:
        return {}
    base = ceiling(first["processes"], first["asgi_cpu_us_per_delivery"], first["rest_cpu_us_per_delivery"], cores)
    result = {}
    for line in lines[1:]:
        if not line["asgi_cpu_us_per_delivery"]:
            continue
        asgi, rest = line["asgi_cpu_us_per_delivery"], line["rest_cpu_us_per_delivery"]
        result[line["processes"]] = {
            "bound_here": round(ceiling(line["processes"], asgi, rest, cores) / base, 2),
            "with_a_core_each": round(
                line["processes"] * first["asgi_cpu_us_per_delivery"] / (first["processes"] * asgi), 2
            ),
        }
    return result


def main() -> None:
    args = parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    started = time.time()
    import uvloop

    runs = [uvloop.run(measure(int(n), args)) for n in args.processes.split(",")]
    lines = summary(runs)
    base = lines[0]["held_deliveries_per_s"]
    for line in lines:  # none when the first count held no rate at all (a machine too busy to measure)
        line["speedup_vs_first"] = round(line["held_deliveries_per_s"] / base, 2) if base else None
    limits = bounds(lines, os.cpu_count() or 1)
    results = {
        "summary": lines,
        "bounds": limits,
        "runs": runs,
        "clients": args.clients,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()},
        "seconds": round(time.time() - started, 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(
        f"\n{'ASGI':>5}{'deliv/s held':>14}{'msg/s':>7}{'p99 ms':>8}{'idle held':>11}{'KiB/idle':>10}"
        f"{'x first':>9}{'ASGI us/deliv':>15}{'rest us/deliv':>15}"
    )
    for line in lines:
        print(
            f"{line['processes']:>5}{line['held_deliveries_per_s']:>14}{line['held_rate_msg_s']:>7}"
            f"{line['p99_ms_at_held'] or 0:>8.0f}{line['idle_sockets_held']:>11}{line['kib_per_idle_socket']:>10}"
            f"{line['speedup_vs_first'] if line['speedup_vs_first'] is not None else '-':>9}"
            f"{line['asgi_cpu_us_per_delivery'] or '-':>15}{line['rest_cpu_us_per_delivery'] or '-':>15}"
        )
    for processes, limit in limits.items():
        print(
            f"{processes} processes: at most {limit['bound_here']}x of {lines[0]['processes']} on this machine's "
            f"{os.cpu_count()} cores (the rest of the stack shares them); {limit['with_a_core_each']}x with a core each"
        )
    print(f"\nWritten to {RESULTS}")


if __name__ == "__main__":
    main()
