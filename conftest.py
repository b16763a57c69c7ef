"""Test-run set-up shared by every app: the suite runs on the real PostgreSQL and Redis.

If either is unreachable the run stops at once with a message that says how to start it,
rather than failing hundreds of tests one by one.
"""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["slackclone.testing.fixtures"]

POSTGRES_HINT = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
REDIS_HINT = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no '
    "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
)


def _check_postgres(settings) -> str | None:
    import psycopg

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return None
    try:
        psycopg.connect(
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.OperationalError as exc:
        return f"PostgreSQL at {db.get('HOST')}:{db.get('PORT')} is not reachable ({exc}). Start it: {POSTGRES_HINT}"
    return None


def _check_redis(settings) -> str | None:
    import redis

    if not settings.REDIS_URL:
        return None
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        return f"Redis at {settings.REDIS_URL} is not reachable ({exc}). Start it: {REDIS_HINT}"
    return None


def pytest_configure(config: pytest.Config) -> None:
    """On CI the test database is made afresh (`--create-db`): a database kept by an earlier run on the
    same server may carry migrations this checkout does not have, and --reuse-db would build on it."""
    if os.environ.get("CI") == "true":
        config.option.create_db = True


def pytest_sessionstart(session: pytest.Session) -> None:
    from django.conf import settings

    problems = [p for p in (_check_postgres(settings), _check_redis(settings)) if p]
    if problems:
        pytest.exit("\n".join(problems), returncode=3)


@pytest.fixture(autouse=True)
def _rate_limit_window_held_still(monkeypatch):
    """django-ratelimit counts in fixed windows of the wall clock: a test's requests straddling a
    window's end would see their count start over (a "2/m" limit letting a third request through).
    Within a test its clock stands at the instant the test began."""
    import time
    from types import SimpleNamespace

    import django_ratelimit.core

    started = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: started))


@pytest.fixture(autouse=True)
def _fresh_replay_cache():
    """Each test's database starts over, so its primary keys repeat: replays kept by an earlier test
    (keyed by channel pk) must not be served to this one."""
    from realtime.replay_cache import recent_replays

    recent_replays.clear()
    yield
    recent_replays.clear()
