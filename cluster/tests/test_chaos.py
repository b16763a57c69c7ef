"""The chaos soak, short: 100 clients in 10 channels for 120 s while an ASGI process, the notifications
worker, a channel-layer Redis shard, the broker Redis and the PostgreSQL primary are each SIGKILLed once
and brought back. No acknowledged post is lost or stored twice, every client ends with every message of
its channel, every @mention notifies its person once, and the outbox drains (bench/chaos/checks.py).

The soak runs as its own process on a cluster of its own (var/cluster-chaos), which it stops by its pids.
Its output goes to a file as it runs, so a soak that overruns shows where it was when it was stopped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.chaos.__main__ import CHAOS_DIR
from cluster.down import running, stop_cluster
from cluster.layout import BASE_DIR
from slackclone.testing.processes import stop

pytestmark = pytest.mark.cluster

DURATION = 120
# Cluster start, settling, the outbox's drain and the stop come on top of the workload's time.
TIMEOUT = DURATION + 360
# The soak's own cleanup (SIGTERM stops its cluster) and a last stop by pid files fit in the rest.
STOP_SECONDS = 90


def run_soak(argv: list[str], log: Path) -> int:
    """Run the soak with its output going to `log`; past TIMEOUT, stop it and its cluster and fail with
    the log's tail."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("w") as sink:
        soak = subprocess.Popen(argv, cwd=BASE_DIR, env=env, stdout=sink, stderr=subprocess.STDOUT)
        try:
            return soak.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            stop(soak, timeout=STOP_SECONDS / 2)
            left = stop_cluster(CHAOS_DIR)
            pytest.fail(f"the soak ran past {TIMEOUT} s (left running: {left}); its output:\n{log.read_text()[-8000:]}")


@pytest.mark.timeout(TIMEOUT + STOP_SECONDS)
def test_a_short_chaos_soak_loses_nothing_doubles_nothing_and_everyone_catches_up(tmp_path):
    output, log = tmp_path / "chaos.json", tmp_path / "chaos.log"
    argv = [sys.executable, "-m", "bench.chaos", "--duration", str(DURATION), "--clients", "100"]
    argv += ["--channels", "10", "--rate", "20", "--seed", "7", "--output", str(output)]
    returncode = run_soak(argv, log)
    print(log.read_text()[-9000:])
    assert not running(CHAOS_DIR), f"left running: {running(CHAOS_DIR)}"
    result = json.loads(output.read_text())
    failed = {name: c["detail"] for name, c in result["checks"].items() if not c["passed"]}
    assert not failed, failed
    assert returncode == 0
    assert {row["fault"] for row in result["faults"] if not row["error"]} == {
        "asgi", "celery", "layer-redis", "broker-redis", "postgres",
    }  # fmt: skip
    assert result["posts"]["acknowledged"] >= 1000, result["posts"]
    assert result["notifications"]["mentions"] > 0
