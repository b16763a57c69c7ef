"""Health endpoints for load balancers and orchestrators.

`/healthz` answers whether the process is alive and serving: it touches nothing outside it, so a
database or Redis outage never makes a load balancer kill every process at once. `/readyz` answers
whether this process can serve real traffic now: the database and Redis answer, and the process is
not shutting down (slackclone.lifespan). A 503 names what failed, so an operator reads the cause in
the balancer's log.

Both are plain Django views with no session, authentication or CSRF: they are called anonymously by
machines, every few seconds, and must stay cheap.
"""

from __future__ import annotations

import logging
import re

import psycopg
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from psycopg_pool import ConnectionPool, PoolTimeout

from slackclone import lifespan

logger = logging.getLogger(__name__)

READY_PROBE_KEY = "readyz:probe"
READY_TIMEOUT_SECONDS = 2.0


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and its request loop answers (no database, no Redis)."""
    return JsonResponse({"ok": True})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database and Redis answer and the process takes new work; 503 naming what failed."""
    checks = {"database": _check_database(), "redis": _check_redis()}
    if lifespan.draining():
        checks["shutdown"] = "draining"
    failed = {name: error for name, error in checks.items() if error}
    if failed:
        return JsonResponse({"ok": False, "failed": failed}, status=503)
    return JsonResponse({"ok": True})


def _check_database() -> str:
    """'' when the primary database answers a query, else the error (what a 503 names).

    With a connection pool (ASGI processes), a connection is taken from it for at most
    READY_TIMEOUT_SECONDS: a probe must answer quickly, not wait out the pool's own timeout.
    """
    connection = connections["default"]
    pool = getattr(connection, "pool", None)
    try:
        if pool is not None:
            _query_pool(pool)
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
    except Exception as exc:
        logger.warning("readyz: database unreachable: %s", exc)
        return _describe(exc)
    return ""


def _query_pool(pool: ConnectionPool) -> None:
    """SELECT 1 on a pooled connection; a pool that cannot connect raises libpq's reason, not a timeout."""
    pool.open()
    try:
        with pool.connection(timeout=READY_TIMEOUT_SECONDS) as raw:
            raw.execute("SELECT 1")
    except PoolTimeout as timeout:
        raise _connect_error(pool) or timeout from timeout


def _connect_error(pool: ConnectionPool) -> Exception | None:
    """Why a new connection fails, or None if one opens (the pool was only busy).

    A pool that cannot connect says only that it timed out; one direct attempt brings back libpq's
    own reason, for every server of a multi-host URL.
    """
    conninfo = pool.conninfo() if callable(pool.conninfo) else pool.conninfo
    kwargs = (pool.kwargs() if callable(pool.kwargs) else pool.kwargs) or {}
    try:
        psycopg.connect(conninfo, **{**kwargs, "connect_timeout": READY_TIMEOUT_SECONDS}).close()
    except psycopg.Error as exc:
        return exc
    return None


def _check_redis() -> str:
    """'' when the cache (Redis on the real stack: presence, rate limits, tickets) answers a write and a read."""
    if not settings.REDIS_URL:
        return ""  # the embedded default has no Redis: the local-memory cache cannot be down
    try:
        cache.set(READY_PROBE_KEY, 1, timeout=10)
        if cache.get(READY_PROBE_KEY) != 1:
            return "cache did not keep a value"
    except Exception as exc:
        logger.warning("readyz: Redis unreachable: %s", exc)
        return _describe(exc)
    return ""


def _describe(exc: Exception) -> str:
    """The error's type and first line; for a multi-host database URL, every server tried and why it failed.

    libpq reports the last server tried on its first line and every attempt below it: with a failover
    pair (`host1:port1,host2:port2`) the operator needs all of them to see which server is down and
    which one answered but is not the primary.
    """
    text = str(exc).strip()
    attempts = [_attempt(line) for line in text.splitlines() if line.startswith("- host:")]
    if attempts:
        return f"{type(exc).__name__}: " + "; ".join(attempts)[:600]
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"[:200]


_HOST_OR_PORT = re.compile(r"(host|port): '([^']*)'")


def _attempt(line: str) -> str:
    """`- host: 'h', port: 'p', hostaddr: …: connection failed: … failed: why` → `h:p why`."""
    fields = dict(_HOST_OR_PORT.findall(line))
    reason = line.rsplit("failed: ", 1)[-1].strip()
    return f"{fields.get('host', '?')}:{fields.get('port', '?')} {reason}"
