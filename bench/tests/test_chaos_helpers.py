"""What the chaos soak reads from a cluster's files: which application processes are gone, their last error,
and why live events were dropped (bench/chaos). The soak itself runs in cluster/tests/test_chaos.py."""

from __future__ import annotations

import os
import subprocess
import sys

from bench.chaos.__main__ import dropped_live_events
from bench.chaos.faults import last_complaint, not_running
from cluster.up import new_layout


def _layout(tmp_path):
    layout = new_layout(tmp_path, nginx_port=8080, asgi=2)
    (tmp_path / "log").mkdir()
    return layout


def test_processes_whose_pid_file_is_missing_or_names_a_dead_process_are_not_running(tmp_path):
    layout = _layout(tmp_path)
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    alive = os.getpid()
    for name in ("asgi-1", "asgi-2", "celery-email", "celery-maintenance", "celery-apps", "celery-beat"):
        layout.pid_file(name).write_text(f"{alive}\n")
    layout.pid_file("celery-notifications").write_text(finished.stdout)  # that process has exited
    assert sorted(not_running(layout)) == ["celery-notifications", "outbox-relay"]


def test_a_gone_process_is_reported_with_the_last_error_its_log_shows(tmp_path):
    layout = _layout(tmp_path)
    layout.log_file("celery-notifications").write_text(
        "[..: ERROR/MainProcess] consumer: Cannot connect to redis\n"
        "[..: CRITICAL/MainProcess] Unrecoverable error: AttributeError(\"'NoneType' object has no attribute\")\n"
        "    raise ConnectionError\n"
    )
    layout.log_file("celery-email").write_text("[..: INFO/MainProcess] email@vm ready.\n")
    assert last_complaint(layout, "celery-notifications").startswith("[..: CRITICAL/MainProcess] Unrecoverable")
    assert last_complaint(layout, "celery-email") == "[..: INFO/MainProcess] email@vm ready."
    assert last_complaint(layout, "outbox-relay") == "(no log)"


def test_dropped_live_events_are_counted_by_reason_a_refused_shard_as_one(tmp_path):
    layout = _layout(tmp_path)
    prefix = "ERROR Error calling _on_commit.<locals>.send_after_commit in on_commit() during transaction"
    layout.log_file("asgi-1").write_text(
        f"{prefix} (Error 111 connecting to 127.0.0.1:18252. Connect call failed ('127.0.0.1', 18252).)\n"
        f"{prefix} (Error 111 connecting to 127.0.0.1:18252. Connection refused.)\n"
        "INFO something else (not counted)\n"
    )
    layout.log_file("asgi-2").write_text(f"{prefix} (Connection closed by server.)\n")
    assert dropped_live_events(layout) == {"connection refused": 2, "Connection closed by server": 1}
