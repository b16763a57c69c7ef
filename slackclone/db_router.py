"""Reads that may go to a PostgreSQL streaming replica, and the rules that keep them correct.

DATABASE_REPLICA_URL adds the `replica` database. Nothing is sent there blindly: the selectors of
the heavy reads (history pages, thread pages, unread counts, search) run through `read_for(user, query)`,
which asks `reads_for(user)` which database to read from (and retries on the primary if the replica
fails mid-read), and every other read, and every write, stays on the primary (`PrimaryRouter`).

`reads_for` answers the primary when any of these holds:

* no replica is configured;
* the user wrote in the last READ_YOUR_WRITES_SECONDS (`pin_to_primary`, set after commit by the
  services' events and by every unsafe HTTP request): a person never reads a page older than their
  own last write, from any process, since the pin lives in the shared cache;
* the replica is down, or its replay lags more than REPLICA_MAX_LAG_SECONDS behind. The check is one
  query on the replica, cached in the process for REPLICA_CHECK_SECONDS, so a replica that stops is
  out of use within that time plus one connect timeout, and a request never waits on it twice;
* the server behind the replica alias is not in recovery: a primary. libpq picks a server from a
  `prefer-standby` host list only when a connection opens, so after a failover the persistent
  connections opened to the standby sit on the promoted server. Reading there is correct, it just
  offloads nothing, so reads go to the primary alias, and every replica connection of the process is
  replaced: the check bumps a process-wide generation, and each thread closes its replica connection
  opened before it on its next `reads_for`. The next check connects afresh, and libpq prefers a
  standby again once one runs. A replica URL that names only a primary costs one connection per check.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connections, transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")
PRIMARY, REPLICA = "default", "replica"
PIN_KEY = "rw:{}"

# Whether the server is a standby, and its replay lag in seconds: 0 when it has replayed everything it
# received (an idle primary writes nothing, so the age of the last replayed transaction alone would read as
# lag); on a primary, 0, and the first column says why.
CHECK_SQL = """
SELECT pg_is_in_recovery(), CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
    ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)
END
"""
# The attribute on a thread's replica DatabaseWrapper: the generation its connection was opened in, or later.
GENERATION_ATTR = "_replica_generation"


class PrimaryRouter:
    """Every write, and every read not sent elsewhere explicitly, goes to the primary.

    Objects read from the replica keep loading their relations from it (Django follows the
    instance's database), and are saved to the primary.
    """

    def db_for_read(self, model, **hints: Any) -> str | None:
        instance = hints.get("instance")
        return instance._state.db if instance is not None and instance._state.db else PRIMARY

    def db_for_write(self, model, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints: Any) -> bool:
        return True  # the replica is a copy of the primary: same rows, same keys

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == PRIMARY


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def reads_for(user: Any) -> str:
    """The database alias a heavy read for `user` (a User or None) should use: the replica or the primary."""
    if not replica_configured():
        return PRIMARY
    _drop_outdated_replica_connection()
    user_id = getattr(user, "pk", None)
    if user_id is not None and _pinned(user_id):
        return PRIMARY
    return REPLICA if replica_usable() else PRIMARY


def read_for(user: Any, query: Callable[[str], T]) -> T:
    """Run `query(alias)` on the database `reads_for(user)` picks; if the replica fails mid-read, on the primary.

    A replica that stops between two health checks costs the reader one failed attempt, never an error:
    the failure marks the replica unusable at once, for every later read of this process too.
    """
    alias = reads_for(user)
    if alias == PRIMARY:
        return query(PRIMARY)
    try:
        return query(alias)
    except (OperationalError, InterfaceError) as exc:
        logger.warning("Replica failed mid-read, reading from the primary: %s", exc)
        _health.mark_down()
        connections[REPLICA].close()
        return query(PRIMARY)


def pin_to_primary(user_id: int) -> None:
    """The user just wrote: read from the primary for READ_YOUR_WRITES_SECONDS. Never raises."""
    if not replica_configured():
        return
    try:
        cache.set(PIN_KEY.format(user_id), 1, timeout=settings.READ_YOUR_WRITES_SECONDS)
    except Exception as exc:  # the write is committed; without the pin we only risk a slightly old page
        logger.warning("Could not pin user %s to the primary: %s", user_id, exc)


def pin_on_commit(user_id: int) -> None:
    """Pin the user once the current transaction commits (a rolled-back write pins nothing)."""
    if replica_configured():

        def pin_after_commit() -> None:
            pin_to_primary(user_id)

        transaction.on_commit(pin_after_commit, robust=True)


def _pinned(user_id: int) -> bool:
    try:
        return cache.get(PIN_KEY.format(user_id)) is not None
    except Exception:
        return True  # cannot tell whether the user just wrote: the primary is always right


class _Health:
    """The replica's usability, checked at most once per REPLICA_CHECK_SECONDS per process.

    `generation` counts the times a check found a primary behind the replica alias; a replica connection
    opened in an earlier generation may sit on that primary and is closed on its thread's next use.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.lock = threading.Lock()
        self.clock = clock
        self.checked_at = float("-inf")
        self.usable = False
        self.generation = 0
        self.on_primary = False  # the last check found a primary: warn once per episode, not every check

    def get(self) -> bool:
        if self.clock() - self.checked_at < settings.REPLICA_CHECK_SECONDS:
            return self.usable
        with self.lock:
            if self.clock() - self.checked_at >= settings.REPLICA_CHECK_SECONDS:
                self.usable = _check_replica(self)
                self.checked_at = self.clock()
        return self.usable

    def forget(self) -> None:
        self.checked_at = float("-inf")

    def mark_down(self) -> None:
        with self.lock:
            self.usable, self.checked_at = False, self.clock()


_health = _Health()


def replica_usable() -> bool:
    """True when the replica answers, is a standby and lags at most REPLICA_MAX_LAG_SECONDS (cached briefly)."""
    return _health.get()


def _check_replica(health: _Health) -> bool:
    """Ask the replica alias's server (on this thread's connection) whether it is a usable standby.

    Runs under `health.lock`, at most once per REPLICA_CHECK_SECONDS per process.
    """
    replica = connections[REPLICA]
    try:
        with replica.cursor() as cursor:
            cursor.execute(CHECK_SQL)
            in_recovery, lag = cursor.fetchone()
    except Exception as exc:
        logger.warning("Replica unavailable, reading from the primary: %s", exc)
        replica.close()  # a broken connection is not reused; the next check connects afresh
        return False
    if not in_recovery and settings.REPLICA_MUST_BE_STANDBY:
        _found_primary(health, replica)
        return False
    health.on_primary = False
    if float(lag) > settings.REPLICA_MAX_LAG_SECONDS:
        bound = settings.REPLICA_MAX_LAG_SECONDS
        logger.warning("Replica lags %.1f s (bound %s s), reading from the primary", float(lag), bound)
        return False
    return True


def _found_primary(health: _Health, replica: Any) -> None:
    """The replica alias reached a primary: every replica connection of the process is to be replaced.

    This thread's closes now (the next check, one interval later, is the only reconnect it makes); the other
    threads' close on their next use, as their generation is now behind.
    """
    if not health.on_primary:
        logger.warning(
            "The replica URL reached %s, which is a primary (not in recovery): reading from the primary, "
            "and reconnecting the replica connections so libpq can choose a standby",
            _server_address(replica),
        )
    health.on_primary = True
    health.generation += 1
    replica.close()


def _server_address(wrapper: Any) -> str:
    """host:port of the server a DatabaseWrapper is connected to (libpq's choice among the URL's hosts)."""
    info = getattr(wrapper.connection, "info", None)
    if info is None:
        return f"{wrapper.settings_dict.get('HOST')}:{wrapper.settings_dict.get('PORT')}"
    return f"{info.host}:{info.port}"


def _drop_outdated_replica_connection() -> None:
    """Close this thread's replica connection if it was opened before the last time a primary was found there.

    The generation is stamped while the wrapper has no connection, so before the next one opens: a connection
    opened during a bump counts as older, and is replaced once more rather than kept on a primary.
    """
    wrapper = connections[REPLICA]
    generation = _health.generation
    if wrapper.connection is None:
        setattr(wrapper, GENERATION_ATTR, generation)
    elif getattr(wrapper, GENERATION_ATTR, 0) < generation:
        wrapper.close()
        setattr(wrapper, GENERATION_ATTR, generation)


class PinAfterWriteMiddleware:
    """An authenticated request that may have written (any unsafe method) pins its user to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                pin_to_primary(user.pk)
        return response
