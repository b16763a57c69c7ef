"""Point-in-time recovery on a PostgreSQL server of the test's own: a full backup, a row written before the
noted time and one after, a restore to that time that has the first and not the second; and the uploaded
files restored byte for byte. Needs no cluster, only Debian's PostgreSQL and pgBackRest."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from cluster import backup
from cluster.backup import as_server_user
from cluster.down import alive
from cluster.postgres import bin_dir, give_to_server_user
from slackclone.testing.processes import free_port

pytestmark = pytest.mark.cluster

START_TIMEOUT = 60.0


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A folder the postgres user can reach (pytest's own tmp_path is root's alone)."""
    path = Path(tempfile.mkdtemp(prefix="slackclone-pitr-", dir="/tmp"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def servers() -> Iterator[list[int]]:
    """The postmaster pids the test starts; each is stopped (fast shutdown) by its pid at the end."""
    pids: list[int] = []
    try:
        yield pids
    finally:
        for pid in pids:
            stop_server(pid)


def init_server(data: Path, socket_dir: Path, settings: dict[str, str]) -> None:
    give_to_server_user(data)
    give_to_server_user(socket_dir, 0o755)
    initdb = [str(bin_dir() / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"]
    subprocess.run(as_server_user(initdb), check=True, capture_output=True)
    lines = [f"{name} = '{value}'" for name, value in settings.items()]
    with open(data / "postgresql.conf", "a") as conf:
        conf.write("\n".join(lines) + "\n")


def start_server(data: Path, port: int, pids: list[int]) -> int:
    """pg_ctl start, waiting until it accepts connections; the postmaster's pid."""
    log = data.parent / f"{data.name}.log"
    give_to_server_user(log.parent, 0o755)
    argv = [str(bin_dir() / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", f"-p {port}", "-w", "-t", "60"]
    result = subprocess.run(as_server_user([*argv, "start"]), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr + _read(log)
    pid = int((data / "postmaster.pid").read_text().split()[0])
    pids.append(pid)
    return pid


def stop_server(pid: int) -> None:
    if alive(pid, "postgres"):
        os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + 30
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def _read(path: Path) -> str:
    return path.read_text() if path.exists() else ""


def connect(port: int) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True)


def wait_past(connection: psycopg.Connection, moment: datetime) -> None:
    """pgBackRest records a backup's end to the second: the target must be in a later second than that."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        row = connection.execute("SELECT now() >= %s", [moment + timedelta(seconds=1)]).fetchone()
        if row is not None and row[0]:
            return
        time.sleep(0.05)
    raise AssertionError("the database's clock did not move past the backup's end")


def wait_promoted(port: int) -> None:
    """Recovery stops at the target and promotes: then the server takes writes."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        with connect(port) as connection:
            row = connection.execute("SELECT pg_is_in_recovery()").fetchone()
            if row is not None and not row[0]:
                return
        time.sleep(0.1)
    raise AssertionError("the restored server never left recovery")


def test_restore_to_a_time_keeps_what_was_written_before_it_and_nothing_after(workdir, servers):
    port, data, sockets = free_port(), workdir / "pg", workdir / "run"
    paths = backup.BackupPaths(
        root=workdir / "backup", media_dir=workdir / "media", pg_data=data, pg_port=port, socket_dir=sockets
    )
    settings = {"listen_addresses": "127.0.0.1", "unix_socket_directories": str(sockets), "fsync": "off"}
    init_server(data, sockets, {**settings, **backup.archive_parameters(paths)})
    pid = start_server(data, port, servers)
    backup.write_config(paths)
    backup.stanza_create(paths)
    with connect(port) as connection:
        connection.execute("CREATE TABLE pitr (name text)")
    upload = os.urandom(64 * 1024)
    (paths.media_dir / "files" / "T1").mkdir(parents=True)
    (paths.media_dir / "files" / "T1" / "report.bin").write_bytes(upload)

    taken = backup.backup(paths, full=True)
    archive = backup.archive_media(paths, taken.label)
    with connect(port) as connection:
        wait_past(connection, taken.stopped)
        connection.execute("INSERT INTO pitr VALUES ('A')")
        row = connection.execute("SELECT now()").fetchone()
        assert row is not None
        target = row[0]
        connection.execute("INSERT INTO pitr VALUES ('B')")
        connection.execute("SELECT pg_switch_wal()")
    backup.check(paths)  # returns once a fresh WAL switch is archived: row B's commit is in the archive
    stop_server(pid)
    assert not alive(pid)

    restored = workdir / "pg-restored"
    backup.restore(paths, target, restored)
    restored_port = free_port()
    start_server(restored, restored_port, servers)
    wait_promoted(restored_port)
    with connect(restored_port) as connection:
        assert connection.execute("SELECT name FROM pitr ORDER BY name").fetchall() == [("A",)]

    (paths.media_dir / "files" / "T1" / "report.bin").write_bytes(b"changed after the backup")
    assert backup.media_archive_for(paths, target) == archive
    previous = backup.restore_media(archive, paths.media_dir)
    assert (paths.media_dir / "files" / "T1" / "report.bin").read_bytes() == upload
    assert previous is not None
    assert (previous / "files" / "T1" / "report.bin").read_bytes() == b"changed after the backup"


def test_restore_refuses_a_data_directory_that_is_in_use(workdir):
    paths = backup.BackupPaths(root=workdir / "backup", media_dir=workdir / "media")
    (workdir / "occupied").mkdir()
    (workdir / "occupied" / "PG_VERSION").write_text("15\n")
    with pytest.raises(backup.BackupError) as error:
        backup.restore(paths, datetime.now(UTC), workdir / "occupied")
    assert error.value.code == "data_dir_not_empty"
