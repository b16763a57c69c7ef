"""`make cluster` from a directory the `postgres` user cannot enter (a checkout in /root, a `mktemp -d`):
the database part starts, because the servers live in a directory of their own that it can reach."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

import psycopg
import pytest

from cluster import patroni, postgres
from cluster.down import running, stop_cluster
from cluster.up import new_layout, start_database

pytestmark = pytest.mark.cluster


@pytest.mark.skipif(os.geteuid() != 0, reason="only root has a home the postgres user cannot enter")
def test_the_database_part_starts_from_a_private_mktemp_directory_under_root():
    directory = Path(tempfile.mkdtemp(dir=Path.home()))  # mode 0700, like `mktemp -d`
    assert not directory.stat().st_mode & stat.S_IXOTH
    layout = new_layout(directory, nginx_port=0, asgi=0)
    (layout.path / "log").mkdir()
    layout.save()
    try:
        leader = start_database(layout)
        with psycopg.connect(layout.database_url, autocommit=True) as connection:
            connection.execute("CREATE TABLE reached (n int)")
            connection.execute("INSERT INTO reached VALUES (1)")
            port = connection.execute("SELECT inet_server_port()").fetchone()[0]
        assert port == layout.pg_ports[layout.members.index(leader)]
        assert patroni.is_primary(layout, leader)
        assert (directory / "postgres").resolve() == layout.pg_path
        assert not layout.pg_path.is_relative_to(directory)
    finally:
        stop_cluster(directory)
        assert not running(directory)
        postgres.forget_server_dir(layout.pg_path)
        shutil.rmtree(directory)
