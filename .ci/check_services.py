"""Check that the PostgreSQL and Redis the test settings point at can be reached, before `make test` runs anything.

The test suite runs on the real stack, so an unreachable server would otherwise surface as a
wall of errors. This prints one clear line per problem with the command that starts the
server, and exits non-zero. It also creates the configured database when the server is up but
the database does not exist yet (a fresh machine), so that `makemigrations --check` can read
its migration history; pytest-django creates its own test_<name> database beside it.

Run with the test settings: DJANGO_SETTINGS_MODULE=slackclone.settings_test python .ci/check_services.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import django
import psycopg
import redis
from django.conf import settings
from psycopg import sql

PROJECT_DIR = Path(__file__).resolve().parent.parent

POSTGRES_HINT = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
REDIS_HINT = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no '
    "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
)


def check_postgres() -> str | None:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return f"The test settings must use PostgreSQL, not {db['ENGINE']}: set DATABASE_URL=postgres://..."
    params = {
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "connect_timeout": 3,
    }
    try:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
                print(f"Created the database {db['NAME']}.")
    except psycopg.OperationalError as exc:
        where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
        return f"PostgreSQL at {where} is not reachable ({str(exc).strip()}).\n  Start it: {POSTGRES_HINT}"
    return None


def check_redis() -> str | None:
    if not settings.REDIS_URL:
        return "The test settings must use Redis: set REDIS_URL=redis://..."
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        return f"Redis at {settings.REDIS_URL} is not reachable ({exc}).\n  Start it: {REDIS_HINT}"
    return None


def main() -> int:
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slackclone.settings_test")
    django.setup()
    problems = [problem for problem in (check_postgres(), check_redis()) if problem]
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("The tests run on the real PostgreSQL and Redis; start them and run `make test` again.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
