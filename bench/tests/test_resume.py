"""bench/resume measures both codes on the same company and refuses a run where they replayed different events."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bench.fanout import stack


@pytest.mark.integration
@pytest.mark.timeout(300)
def test_a_quick_run_measures_both_codes_on_the_same_resumes(bench_database, tmp_path):
    output = tmp_path / "resume.json"
    command = [sys.executable, "-m", "bench.resume", "--quick", "--baseline-dir", str(stack.BASE_DIR)]
    command += ["--database-url", bench_database, "--output", str(output)]
    result = subprocess.run(command, cwd=stack.BASE_DIR, capture_output=True, text=True, timeout=280)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    rows = {line.split()[0]: line.split() for line in lines if line.startswith(("before ", "after "))}
    assert set(rows) == {"before", "after"}
    assert rows["before"][1] == rows["after"][1] == "5", "five people, resumed once each"
    assert rows["before"][-1] == rows["after"][-1] != "0.0", "the same events, and some of them"
    assert "nothing written" in result.stdout
    assert not output.exists(), "a --quick run writes no results"


def test_a_plan_that_cannot_be_seeded_is_refused_before_anything_starts():
    result = subprocess.run(
        [sys.executable, "-m", "bench.resume", "--history", "5", "--missed", "5"],
        cwd=stack.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--missed must be under --history" in result.stderr
