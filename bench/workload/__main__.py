"""A company's day: many people's browser clients at once, on one machine, at growing head counts.

    python -m bench.workload                    # 1000, 2000, 5000 people, 60 s each
    python -m bench.workload --steps 1000,2000,5000,10000
    python -m bench.workload --quick            # 100 and 200 people, 20 s each
    python -m bench.workload --layout cluster --asgi 3   # through nginx to a cluster of 3 ASGI processes

Each step seeds a company of N people (bench.workload.company: 500 channels of Zipf sizes, about 15
channels and 5 DMs each), opens one socket per person, and for `--seconds` acts as all of them at the
per-person rates of bench.workload.schedule.Rates (posts with typing, mentions, thread replies and
files, reactions, channel switches with history and mark read, thread opens, searches, heartbeats,
reconnects with resume). It measures post-to-delivery latency at every recipient, HTTP latency per
route family, errors by code, lost and duplicated deliveries checked against the database, and the
CPU of every process. "Supported users" is the last step, in order, held with delivery p99 <= 300 ms,
HTTP p99 <= 250 ms, no errors and nothing lost. Prints a table and writes bench/results/workload.json.

Everything runs on loopback and is the run's own. `--layout single` (bench.workload.layout): a
redis-server, database, ASGI server, Celery worker and relay. `--layout cluster`
(bench.workload.cluster_layout): a cluster as `make cluster` runs it (nginx, `--asgi` processes,
PostgreSQL primary and standby under Patroni, sharded Redis, Celery, relay) in var/cluster-workload.
All of it is stopped (by pid), and the single layout's database dropped, at the end, at the time limit
(--max-seconds) or on SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

from bench.workload.company import Shape
from bench.workload.layout import LAYOUTS, StackRefused
from bench.workload.report import cpu_ceiling, table
from bench.workload.schedule import Rates
from bench.workload.step import Run, TimeLimit, loopback_error

RESULTS = Path(__file__).resolve().parents[1] / "results" / "workload.json"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/workload_bench"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", default="1000,2000,5000", help="people per step (add 10000 where it fits)")
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds of activity per step")
    parser.add_argument("--quick", action="store_true", help="100 and 200 people, 20 s each")
    parser.add_argument("--layout", choices=LAYOUTS, default="single", help="the stack under load")
    parser.add_argument("--asgi", type=int, default=2, help="the cluster layout's ASGI processes behind nginx")
    parser.add_argument("--host", default="127.0.0.1", help="where the stack runs: loopback only")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE),
        help="the single layout's database (the cluster has its own)",
    )
    parser.add_argument("--keep-database", action="store_true", help="single layout: leave its database behind")
    parser.add_argument("--max-seconds", type=float, default=1800.0, help="stop (and clean up) after this long")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON results go")
    parser.add_argument("--table-from", type=Path, help="print the table of a results file, and run nothing")
    parser.add_argument("--seed", type=int, default=7, help="the random generator's seed")
    parser.add_argument(
        "--marks-over-http",
        action="store_true",
        help="move read markers with POST …/read, not the socket's mark frame the browser client sends",
    )
    parser.add_argument(
        "--no-view",
        action="store_true",
        help="send no view frame, as clients before it: every socket gets every reaction (for comparison)",
    )
    parser.add_argument(
        "--no-presence-sub",
        action="store_true",
        help="send no presence_sub frame, as clients before it: every socket gets every presence change",
    )
    parser.add_argument("--http-connections", type=int, default=16, help="keep-alive connections for HTTP")
    parser.add_argument("--channels", type=int, default=Shape.channels)
    parser.add_argument("--history", type=int, default=Shape.history, help="messages already in each channel")
    parser.add_argument(
        "--weight-exponent",
        type=float,
        default=0.5,
        help="a person posts in a conversation of n members with weight n^-x (big channels are quieter)",
    )
    for name, default in Rates().per_minute().items():
        parser.add_argument(f"--{name}-rate", type=float, default=default, help=f"{name}s per person per minute")
    args = parser.parse_args(argv)
    if args.quick:
        args.steps, args.seconds, args.channels = "100,200", 20.0, 60
    return args


def rates_of(args: argparse.Namespace) -> Rates:
    return Rates(**{name: getattr(args, f"{name}_rate") for name in Rates().per_minute()})


def reprint(path: Path) -> int:
    """The table of an earlier run (its CPU ceilings derived again, for a file written before they were)."""
    results = json.loads(path.read_text())
    for row in results["steps"]:
        row["cpu_ceiling"] = cpu_ceiling(row, results["seconds_per_step"], results["machine"]["cpus"])
    path.write_text(json.dumps(results, indent=2))
    print(table(results["steps"]))
    print(f"\nSupported users: {results['supported_users']}; the run took {results['seconds']:.0f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.table_from:
        return reprint(args.table_from)
    problem = loopback_error(args.host, args.database_url)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    started = time.time()
    run = Run(args, rates_of(args), Shape(channels=args.channels, history=args.history))
    run.deadline.arm(args.max_seconds)
    status = 0
    try:
        run.execute([int(n) for n in args.steps.split(",")])
    except TimeLimit:
        print(f"\nStopped at the time limit ({args.max_seconds:.0f} s); the steps measured so far follow.")
        status = 3
    except StackRefused as refused:
        print(f"error: {refused}", file=sys.stderr)
        status = 2
    finally:
        run.deadline.disarm()
        run.cleanup()
    if status == 2:
        return status  # refused before anything was measured
    results = run.results()
    results |= {
        "command": "python -m bench.workload " + " ".join(argv if argv is not None else sys.argv[1:]),
        "seconds": round(time.time() - started, 1),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()},
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2))
    print()
    print(table(results["steps"]))
    print(
        f"\nSupported users (delivery p99 <= 300 ms, HTTP p99 <= 250 ms, no errors, nothing lost): "
        f"{results['supported_users']}"
    )
    print(f"Took {results['seconds']:.0f} s. Written to {args.output}")
    return status


if __name__ == "__main__":
    sys.exit(main())
