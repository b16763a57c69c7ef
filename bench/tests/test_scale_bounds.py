"""bench/scale's reading of where the CPU went: per-delivery costs, and the speedup they allow."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from bench.scale import cpu
from bench.scale.__main__ import bounds, ceiling, cpu_per_delivery


def line(processes: int, asgi_us: float, rest_us: float) -> dict:
    return {"processes": processes, "asgi_cpu_us_per_delivery": asgi_us, "rest_cpu_us_per_delivery": rest_us}


def test_costs_per_delivery_split_the_asgi_processes_from_the_rest_of_the_stack():
    row = {
        "deliveries": 40_000,
        "cpu_window_s": 4.0,
        "cpu_cores": {"asgi-1": 0.3, "asgi-2": 0.2, "nginx": 0.25, "client": 0.15},
    }

    asgi_us, rest_us = cpu_per_delivery(row)

    assert asgi_us == pytest.approx(50.0)  # 0.5 cores x 4 s over 40,000 deliveries
    assert rest_us == pytest.approx(40.0)


def test_a_rate_measured_without_a_cpu_split_has_no_costs():
    assert cpu_per_delivery({"deliveries": 100, "cpu_window_s": 3.0}) is None


def test_one_process_is_held_to_one_core_and_all_of_them_to_the_machine():
    assert ceiling(1, asgi_us=50.0, rest_us=10.0, cores=2) == pytest.approx(20_000)  # its own core is the limit
    assert ceiling(2, asgi_us=50.0, rest_us=50.0, cores=2) == pytest.approx(20_000)  # the machine is


def test_on_two_shared_cores_the_rest_of_the_stack_bounds_what_a_second_process_adds():
    # The servers scale perfectly (same cost per delivery), but the rest costs as much as they do.
    limits = bounds([line(1, 30.0, 30.0), line(2, 30.0, 30.0)], cores=2)

    assert limits[2] == {"bound_here": 1.0, "with_a_core_each": 2.0}


def test_a_cheap_rest_of_the_stack_leaves_room_for_the_second_process():
    limits = bounds([line(1, 30.0, 6.0), line(2, 33.0, 6.0)], cores=2)

    assert limits[2]["bound_here"] == pytest.approx(1.54, abs=0.01)
    assert limits[2]["with_a_core_each"] == pytest.approx(1.82, abs=0.01)


def test_cpu_is_counted_per_pid_file_with_the_process_children(tmp_path):
    busy = "import subprocess, sys; c = subprocess.Popen([sys.executable, '-c', 'while 1: pass']); c.wait()"
    parent = subprocess.Popen([sys.executable, "-c", busy], start_new_session=True)  # its own process group
    try:
        (tmp_path / "worker.pid").write_text(f"{parent.pid}\n")
        before = cpu.snapshot(tmp_path)
        deadline = time.monotonic() + 30
        after = cpu.snapshot(tmp_path)
        while after.get("worker", 0.0) - before.get("worker", 0.0) <= 0.2 and time.monotonic() < deadline:
            time.sleep(0.05)
            after = cpu.snapshot(tmp_path)
    finally:
        os.killpg(parent.pid, signal.SIGKILL)  # the parent and its spinning child, by the group's id
        parent.wait()

    assert after["worker"] - before.get("worker", 0.0) > 0.2  # the child's spinning, under its parent's name
    assert "client" in after


def test_a_postgresql_server_detached_from_patroni_is_counted_by_its_postmaster_pid(tmp_path):
    server = subprocess.Popen([sys.executable, "-c", "while 1: pass"], start_new_session=True)
    try:
        (tmp_path / "postgres" / "pg-2").mkdir(parents=True)
        (tmp_path / "postgres" / "pg-2" / "postmaster.pid").write_text(f"{server.pid}\n/data\n")
        before = cpu.snapshot(tmp_path)
        deadline = time.monotonic() + 30
        after = cpu.snapshot(tmp_path)
        while after.get("postgres-pg-2", 0.0) - before.get("postgres-pg-2", 0.0) <= 0.2:
            assert time.monotonic() < deadline, "the server's CPU was never counted"
            time.sleep(0.05)
            after = cpu.snapshot(tmp_path)
    finally:
        server.kill()
        server.wait()
