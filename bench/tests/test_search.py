"""bench/search measures both codes on the same messages and refuses a plan it cannot seed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bench.fanout import stack


@pytest.mark.integration
@pytest.mark.timeout(300)
def test_a_quick_run_searches_with_both_codes_and_finds_the_same_matches(bench_database, tmp_path):
    output = tmp_path / "search.json"
    command = [sys.executable, "-m", "bench.search", "--quick", "--baseline-dir", str(stack.BASE_DIR)]
    command += ["--database-url", bench_database, "--output", str(output)]
    result = subprocess.run(command, cwd=stack.BASE_DIR, capture_output=True, text=True, timeout=280)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith(("before ", "after "))]
    queries = ("common", "by", "rare", "prefix")  # "by score" is two words
    assert sorted((row[0], row[1]) for row in rows) == sorted((c, q) for c in ("before", "after") for q in queries)
    matches = {row[1]: int(row[-5]) for row in rows if row[0] == "after"}
    assert matches["common"] == 50, "a common word fills its page"
    assert 0 < matches["rare"] < matches["by"], matches
    assert "nothing written" in result.stdout
    assert not output.exists(), "a --quick run writes no results"


def test_a_plan_that_cannot_be_seeded_is_refused_before_anything_starts():
    result = subprocess.run(
        [sys.executable, "-m", "bench.search", "--channels", "0"],
        cwd=stack.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--channels 1 to 500" in result.stderr


@pytest.mark.integration
@pytest.mark.timeout(300)
def test_a_database_that_already_holds_people_is_refused_and_left_as_it_was(bench_database):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "slackclone.settings", "DATABASE_URL": bench_database}
    name = bench_database.rsplit("/", 1)[-1]
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=stack.BASE_DIR, env=env, check=True)
    make_person = "from slackclone.testing.factories import UserFactory; UserFactory()"
    subprocess.run([sys.executable, "manage.py", "shell", "-c", make_person], cwd=stack.BASE_DIR, env=env, check=True)
    command = [sys.executable, "-m", "bench.search", "--quick", "--database-url", bench_database]
    result = subprocess.run(command, cwd=stack.BASE_DIR, capture_output=True, text=True, timeout=200)
    assert result.returncode == 1
    assert "refusing to seed" in result.stderr
    count = "from accounts.models import User; print(User.objects.count())"
    people = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", count], cwd=stack.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert people.stdout.strip().splitlines()[-1] == "1", people.stdout
