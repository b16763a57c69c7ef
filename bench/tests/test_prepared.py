"""bench/prepared measures every kind of request with prepared statements off and on (or this checkout beside a
baseline checkout), and cleans up after."""

from __future__ import annotations

import re
import subprocess
import sys

import psycopg
import pytest
from django.db import connection

from bench.fanout import stack
from bench.prepared.__main__ import KINDS

PREPARED = re.compile(r"^prepared (off|on)\s+round (\d+): (\d+) statements", re.MULTILINE)
PREPARED_SIDES = re.compile(r"^prepared (before|after)\s+round (\d+): (\d+) statements", re.MULTILINE)


def database_exists(url: str) -> bool:
    settings = connection.settings_dict
    admin = f"postgresql://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}/postgres"
    with psycopg.connect(admin, autocommit=True) as admin_connection:
        name = url.rsplit("/", 1)[1]
        return admin_connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


@pytest.mark.integration
@pytest.mark.timeout(300)
def test_a_quick_run_measures_every_kind_with_the_setting_off_and_on(bench_database, tmp_path):
    output = tmp_path / "prepared.json"
    command = [sys.executable, "-m", "bench.prepared", "--quick", "--database-url", bench_database]
    command += ["--output", str(output)]
    result = subprocess.run(command, cwd=stack.BASE_DIR, capture_output=True, text=True, timeout=280)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith(("off ", "on "))]
    assert sorted((row[0], row[1], row[2]) for row in rows) == sorted(
        (side, round_number, kind) for side in ("off", "on") for round_number in ("1", "2") for kind in KINDS
    )
    prepared = {(side, int(round_number)): int(count) for side, round_number, count in PREPARED.findall(result.stdout)}
    assert prepared.keys() == {(side, number) for side in ("off", "on") for number in (1, 2)}
    assert all(count > 0 for (side, _), count in prepared.items() if side == "on"), prepared
    assert all(count == 0 for (side, _), count in prepared.items() if side == "off"), prepared
    assert "nothing written" in result.stdout
    assert not output.exists(), "a --quick run writes no results"
    assert not database_exists(bench_database), "the run drops the database it created"


def test_a_run_that_cannot_warm_up_is_refused_before_anything_starts():
    result = subprocess.run(
        [sys.executable, "-m", "bench.prepared", "--warmup", "2"],
        cwd=stack.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--warmup at least 5" in result.stderr


@pytest.mark.integration
@pytest.mark.timeout(300)
def test_a_quick_run_beside_a_baseline_checkout_measures_both_with_the_setting_on(bench_database, tmp_path):
    command = [sys.executable, "-m", "bench.prepared", "--quick", "--rounds", "1", "--database-url", bench_database]
    command += ["--baseline-dir", str(stack.BASE_DIR), "--output", str(tmp_path / "requests.json")]
    result = subprocess.run(command, cwd=stack.BASE_DIR, capture_output=True, text=True, timeout=280)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith(("before ", "after "))]
    expected = [(side, kind) for side in ("before", "after") for kind in KINDS]
    assert sorted((row[0], row[2]) for row in rows) == sorted(expected)
    prepared = {side: int(count) for side, _, count in PREPARED_SIDES.findall(result.stdout)}
    assert prepared.keys() == {"before", "after"}
    assert all(count > 0 for count in prepared.values()), prepared
    assert "app CPU before → after" in result.stdout
    assert not database_exists(bench_database), "the run drops the database it created"
