"""Measuring this code beside the code before, each checkout in a process of its own on the same seeded data.

A benchmark that compares two checkouts seeds once, in a database of the run's own, then runs its
measuring script from each checkout's directory (so each imports its own code) with the plan on stdin.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bench.fanout import stack

Plan = TypeVar("Plan")


def measure_checkout(script: Path, code_dir: Path, plan: dict[str, Any]) -> dict[str, Any]:
    """Run `script` from `code_dir` (that checkout's code, this run's database), in a process of its own
    with `plan` on its stdin, and return the JSON object it printed last."""
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=code_dir,
        env={**os.environ, "PYTHONPATH": str(code_dir)},
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
    """Seed into `database_url` (created if missing) with a Redis of the run's own, then measure the
    baseline checkout ("before", when given) and this one ("after") on what was seeded."""
    redis, redis_url = stack.start_redis()
    try:
        stack.use_environment(database_url, redis_url)
        stack.ensure_database(database_url)
        import django

        django.setup()
        plan = seed()
        rows: dict[str, dict[str, Any]] = {}
        if baseline_dir is not None:
            rows["before"] = measure(baseline_dir.resolve(), plan)
        rows["after"] = measure(stack.BASE_DIR, plan)
    finally:
        stack.stop(redis)
    return rows
