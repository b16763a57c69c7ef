"""bench/layer measures both layers in both patterns on a Redis of its own, checks every message, and stops
that Redis."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bench.fanout import stack
from bench.layer.__main__ import parse_args


@pytest.mark.integration
@pytest.mark.timeout(300)
def test_a_quick_run_measures_both_layers_in_both_patterns():
    command = [sys.executable, "-m", "bench.layer", "--quick"]
    result = subprocess.run(command, cwd=stack.BASE_DIR, capture_output=True, text=True, timeout=280)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith(("channels-redis", "realtime."))]
    assert sorted((row[0], row[1], row[2]) for row in rows) == sorted(
        [(layer, "burst", phase) for layer in ("channels-redis", "realtime.layer") for phase in ("send", "receive")]
        + [(layer, "one_by_one", "send_and_receive") for layer in ("channels-redis", "realtime.layer")]
    )
    round_trips = {(row[0], row[1], row[2]): float(row[-1]) for row in rows}
    # What the baseline is known to spend (a burst's last clean-up may start in the next phase).
    assert round_trips[("channels-redis", "burst", "receive")] == pytest.approx(4.0, abs=0.01)
    assert round_trips[("realtime.layer", "burst", "receive")] < 0.1  # a fetch per hundred
    assert round_trips[("realtime.layer", "burst", "send")] == pytest.approx(2.0, abs=0.01)
    assert "nothing written" in result.stdout


def test_fewer_messages_than_a_burst_per_round_are_refused(capsys):
    with pytest.raises(SystemExit):
        parse_args(["--messages", "1000", "--rounds", "4"])
    assert "at least 500 per round" in capsys.readouterr().err
