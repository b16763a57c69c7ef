"""What the benchmarks' own tests share."""

from __future__ import annotations

import secrets

import psycopg
import pytest
from django.db import connection


@pytest.fixture
def bench_database():
    """The URL of a database of the test's own for a benchmark run to create and seed, dropped afterwards."""
    settings = connection.settings_dict
    name = f"bench_{secrets.token_hex(4)}"
    admin = f"postgresql://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}/postgres"
    yield f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}/{name}"
    with psycopg.connect(admin, autocommit=True) as admin_connection:
        admin_connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
