"""bench/fanout's busy channel on several Uvicorn processes (--busy-asgi): a quick ladder, before and after,
where every post is acknowledged, stored once and in order, every poster gets every post whichever process
it talks to, each process does its share, and every process started is gone afterwards."""

from __future__ import annotations

import asyncio
import subprocess

import pytest
from django.db import connection

from bench.fanout import stack
from bench.fanout.busy import run_busy
from bench.tests.test_fanout_peers import alive


@pytest.fixture
def bench_environment(monkeypatch):
    """The servers the bench starts take this process's environment: here, the test database and Redis."""
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT'] or 5432}/{database['NAME']}"
    for name, value in {"DATABASE_URL": url, "DEBUG": "0", "LOG_LEVEL": "WARNING"}.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def started(monkeypatch) -> list[tuple]:
    """Every (process, port) the bench starts, as it starts them."""
    seen: list[tuple] = []
    start_servers = stack.start_servers

    def recording(*args, **kwargs):
        servers = start_servers(*args, **kwargs)
        seen.extend(servers)
        return servers

    monkeypatch.setattr(stack, "start_servers", recording)
    return seen


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(180)
def test_a_quick_busy_ladder_on_two_processes_stores_every_post_once_and_stops_them(bench_environment, started):
    posters, rates = 6, [10, 20]

    result = asyncio.run(run_busy(posters, rates, 1.0, stack.BASE_DIR, 0, asgi=2))

    rows = result["socket"]
    assert [(row["code"], row["rate"]) for row in rows] == [
        ("before", 10),
        ("before", 20),
        ("after", 10),
        ("after", 20),
    ]
    for row in rows:
        assert row["asgi_processes"] == 2
        assert row["posted"] == row["rate"]
        assert row["acked"] == row["stored"] == row["posted"]
        assert row["errors"] == {}
        assert row["acked_dup_seq"] == 0
        assert (row["gaps"], row["ts_out_of_order"], row["posts_lost"], row["posts_duplicated"]) == (0, 0, 0, 0)
        assert row["deliveries"] == posters * row["posted"]
        assert (row["deliveries_lost"], row["deliveries_dup"]) == (0, 0)
        # Poster i talks to process i % 2: each process takes posts, and the sum is what the row reports.
        each = row["server_cpu_ms_per_post_each"]
        assert len(each) == 2
        assert min(each) >= 0.2 * sum(each) > 0
        assert row["server_cpu_ms_per_post"] == pytest.approx(sum(row["server_cpu_ms_per_post_each"]), abs=0.02)
    assert len(started) == 4  # two for the baseline's code, two for this checkout's
    assert len({port for _, port in started}) == 4
    assert not [process.pid for process, _ in started if alive(process.pid)]


def test_stopping_several_processes_goes_on_past_an_interrupt_while_stopping_one(monkeypatch):
    processes = [subprocess.Popen(["sleep", "60"]) for _ in range(3)]
    stop = stack.stop

    def interrupted(process: subprocess.Popen) -> None:
        stop(process)
        if process is processes[0]:
            raise KeyboardInterrupt

    monkeypatch.setattr(stack, "stop", interrupted)
    try:
        with pytest.raises(KeyboardInterrupt):
            stack.stop_all(processes)
        exited = [process.poll() is not None for process in processes]
    finally:
        for process in processes:
            stop(process)

    assert exited == [True, True, True]
