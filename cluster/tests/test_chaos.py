"""The chaos soak, short: 100 clients in 10 channels for 120 s while an ASGI process, the notifications
worker, a channel-layer Redis shard, the broker Redis and the PostgreSQL primary are each SIGKILLed once
and brought back. No acknowledged post is lost or stored twice, every client ends with every message of
its channel, every @mention notifies its person once, and the outbox drains (bench/chaos/checks.py).

The soak runs as its own process on a cluster of its own (var/cluster-chaos), which it stops by its pids.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.chaos.__main__ import CHAOS_DIR
from cluster.down import running
from cluster.layout import BASE_DIR

pytestmark = pytest.mark.cluster

DURATION = 120
# Cluster start, settling, the outbox's drain and the stop come on top of the workload's time.
TIMEOUT = DURATION + 360


def test_a_short_chaos_soak_loses_nothing_doubles_nothing_and_everyone_catches_up(tmp_path):
    output = tmp_path / "chaos.json"
    argv = [sys.executable, "-m", "bench.chaos", "--duration", str(DURATION), "--clients", "100"]
    argv += ["--channels", "10", "--rate", "20", "--seed", "7", "--output", str(output)]
    completed = subprocess.run(argv, cwd=BASE_DIR, capture_output=True, text=True, timeout=TIMEOUT)
    print(completed.stdout[-6000:], completed.stderr[-3000:])
    assert not running(CHAOS_DIR), f"left running: {running(CHAOS_DIR)}"
    result = json.loads(output.read_text())
    failed = {name: c["detail"] for name, c in result["checks"].items() if not c["passed"]}
    assert not failed, failed
    assert completed.returncode == 0
    assert {row["fault"] for row in result["faults"] if not row["error"]} == {
        "asgi", "celery", "layer-redis", "broker-redis", "postgres",
    }  # fmt: skip
    assert result["posts"]["acknowledged"] >= 1000, result["posts"]
    assert result["notifications"]["mentions"] > 0
