"""Measuring this code beside the code before, each checkout in a process of its own on the same seeded data.

A benchmark that compares two checkouts seeds once, in a database of the run's own, then runs its
measuring script from each checkout's directory (so each imports its own code) with the plan on stdin.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from bench.fanout import stack

Plan = TypeVar("Plan")


def add_output_arguments(parser: argparse.ArgumentParser, results: Path, name: str) -> None:
    """--output (default `results`) and --database-url (BENCH_DATABASE_URL, or a database named
    slackclone_bench_<name> on this machine's PostgreSQL): where a benchmark writes and what it seeds."""
    parser.add_argument("--output", type=Path, default=results)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/slackclone_bench_{name}"),
    )


def measure_checkout(
    script: Path, code_dir: Path, plan: dict[str, Any], *, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run `script` from `code_dir` (that checkout's code, this run's database), in a process of its own
    with `plan` on its stdin, and return the JSON object it printed last. `env` is set in that process's
    environment on top of this one's: settings that differ between the sides of one checkout."""
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=code_dir,
        env={**os.environ, "PYTHONPATH": str(code_dir), **(env or {})},
        input=json.dumps(plan),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(f"measuring {code_dir} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def before_and_after(
    database_url: str,
    baseline_dir: Path | None,
    seed: Callable[[], Plan],
    measure: Callable[[Path, Plan], dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    """Seed into `database_url` with a Redis of the run's own, then measure the baseline checkout ("before",
    when given) and this one ("after") on what was seeded. A database the run creates is dropped at its end;
    one that already holds people is refused, never seeded into."""
    redis, redis_url = stack.start_redis()
    created = False
    try:
        stack.use_environment(database_url, redis_url)
        created = stack.ensure_database(database_url)
        import django

        django.setup()
        from accounts.models import User

        if not created and User.objects.exists():
            raise SystemExit(f"refusing to seed: {database_url} already holds people (drop it, or name another)")
        plan = seed()
        rows: dict[str, dict[str, Any]] = {}
        if baseline_dir is not None:
            rows["before"] = measure(baseline_dir.resolve(), plan)
        rows["after"] = measure(stack.BASE_DIR, plan)
    finally:
        stack.stop(redis)
        if created:
            from django.db import connections

            connections.close_all()
            stack.drop_database(database_url)
    return rows


def answers_differ(rows: dict[str, dict[str, dict[str, Any]]], what: str) -> bool:
    """Whether the code before ("before", when measured) answered any case differently from this code (each
    case's "wire"); says which on stderr, as the error the benchmark then exits 1 with."""
    if "before" not in rows:
        return False
    differing = [case for case, row in rows["after"].items() if rows["before"][case]["wire"] != row["wire"]]
    if differing:
        print(f"error: the two codes {what} differently: {', '.join(differing)}", file=sys.stderr)
    return bool(differing)


def numbers_only(rows: dict[str, dict[str, dict[str, Any]]]) -> dict[str, dict[str, dict[str, Any]]]:
    """The rows as the results file keeps them: each case's numbers, without its answer ("wire")."""
    return {
        code: {case: {field: value for field, value in row.items() if field != "wire"} for case, row in cases.items()}
        for code, cases in rows.items()
    }


def cpu_table(rows: dict[str, dict[str, dict[str, Any]]], cases: Iterable[str], case: str, count: str) -> str:
    """Per code and case: the row's `count` field, thread CPU p50 and mean, wall time and statements, each
    measured per call (cpu_us_p50, cpu_us_mean, wall_us_mean, statements)."""
    header = f"{'code':<8} {case:<10} {count:>8} {'CPU p50':>10} {'CPU mean':>10} {'wall':>9} {'stmts':>6}"
    lines = [header, "-" * len(header)]
    for code, measured in rows.items():
        for name in cases:
            row = measured[name]
            lines.append(
                f"{code:<8} {name:<10} {row[count]:>8} {row['cpu_us_p50']:>8.0f}us {row['cpu_us_mean']:>8.0f}us "
                f"{row['wall_us_mean']:>7.0f}us {row['statements']:>6}"
            )
    return "\n".join(lines)


def compare_checkouts(
    args: Any,
    *,
    command: str,
    seed: Callable[[], Plan],
    measure: Callable[[Path, Plan], dict[str, Any]],
    table: Callable[[dict[str, dict[str, Any]]], str],
    what: str,
    shape: dict[str, Any],
) -> int:
    """A benchmark's run: measure the code before (args.baseline_dir) and this code on what `seed` wrote, print
    `table`, exit 1 if the two answered any case differently (`what` they did), and write the numbers to
    args.output unless args.quick."""
    from bench.output import machine, write_results

    rows = before_and_after(args.database_url, args.baseline_dir, seed, measure)
    print(table(rows))
    if answers_differ(rows, what):
        return 1
    results = {"command": command, "rows": numbers_only(rows), "shape": shape, "machine": machine()}
    print(write_results(args.output, results, quick=args.quick))
    return 0
