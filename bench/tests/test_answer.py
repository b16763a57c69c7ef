"""bench/answer measures both codes on the same messages and refuses a plan it cannot seed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bench.fanout import stack


@pytest.mark.integration
@pytest.mark.timeout(300)
def test_a_quick_run_reads_every_kind_of_message_with_both_codes(bench_database, tmp_path):
    output = tmp_path / "answer.json"
    command = [sys.executable, "-m", "bench.answer", "--quick", "--baseline-dir", str(stack.BASE_DIR)]
    command += ["--database-url", bench_database, "--output", str(output)]
    result = subprocess.run(command, cwd=stack.BASE_DIR, capture_output=True, text=True, timeout=280)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith(("before ", "after "))]
    assert sorted((row[0], row[1]) for row in rows) == sorted(
        (code, kind) for code in ("before", "after") for kind in ("plain", "reactions", "reply", "file")
    )
    statements = {(row[0], row[1]): int(row[-1]) for row in rows}
    assert statements[("after", "plain")] == 1, "a plain message is read in one statement"
    assert "nothing written" in result.stdout
    assert not output.exists(), "a --quick run writes no results"


def test_a_plan_that_cannot_be_seeded_is_refused_before_anything_starts():
    result = subprocess.run(
        [sys.executable, "-m", "bench.answer", "--reactions", "0"],
        cwd=stack.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--reactions between 1 and 50" in result.stderr
