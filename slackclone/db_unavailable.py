"""The database is unavailable right now: the one classification every surface maps to `service_unavailable`.

During a failover the primary is unreachable for a few seconds, or a connection lands on a server that
has just become read-only. A write that fails that way was rolled back (or, when the connection was lost
at the very commit, its fate is unknown), and the same request will succeed once the new primary
answers: the client should retry it, with the same client_msg_id, so a message is posted once either
way. Every surface answers such a failure with the stable code `service_unavailable` and a short retry
delay: a 503 with Retry-After over HTTP, an `ok: false` ack on the socket.

Only the failures of the server itself count. A serialization failure or a deadlock (40001, 40P01), a
cancelled statement (57014), a constraint violation: those are the request's own, and keep their
handling. And the connection that failed is dropped (closed, never handed back to the pool), so the
next request connects afresh, to the new primary.

One failure of a single connection counts too: a statement prepared on it (settings.DATABASE_PREPARED_STATEMENTS)
before a migration changed the type of a column the statement returns. PostgreSQL refuses such a statement on
every run ("cached plan must not change result type") until it is prepared again, which the new connection
does: the request is answered as an outage, retried, and succeeds.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import psycopg
from django.db import Error as DjangoDatabaseError
from django.db import connections
from django.utils.translation import gettext_noop

from slackclone.errors import DomainError, ErrorCode

logger = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

RETRY_AFTER_SECONDS = 2
# Translated where the error is raised (DomainError), in the language of the request.
MESSAGE = gettext_noop("The service is briefly unavailable. Try the same request again in a few seconds.")

# SQLSTATEs that mean "this server cannot take the request now", not "this request is wrong".
_UNAVAILABLE_SQLSTATES = frozenset(
    {
        "25006",  # read_only_sql_transaction: the server we reached is a standby (or was just demoted)
        "57P01",  # admin_shutdown: the server is shutting down (a fast stop, a failover's demotion)
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now: the database system is starting up / shutting down / in recovery
    }
)
_CONNECTION_SQLSTATE_CLASS = "08"  # connection_exception and its subclasses


class DatabaseUnavailable(DomainError):
    """The database could not take the request now; the same request may be retried after `retry_after`
    seconds."""

    retry_after = RETRY_AFTER_SECONDS

    def __init__(self) -> None:
        super().__init__(ErrorCode.SERVICE_UNAVAILABLE, MESSAGE)


# What a surface catches to ask database_outage about (anything else is never an outage).
OUTAGE_CANDIDATES = (DjangoDatabaseError, psycopg.Error, DatabaseUnavailable)


def _causes(exc: BaseException):
    """`exc` and the errors it was raised from or during (Django wraps psycopg's errors)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _stale_prepared_statement(error: psycopg.Error) -> bool:
    """A statement prepared before a schema change altered its result's columns: feature_not_supported, from
    the function that revalidates a prepared statement's plan (its name is not translated; the message is)."""
    return error.sqlstate == "0A000" and error.diag.source_function == "RevalidateCachedQuery"


def _driver_error_unavailable(error: psycopg.Error) -> bool:
    sqlstate = error.sqlstate
    if sqlstate is None:
        # No answer from a server at all: refused, lost, closed, or no pooled connection in time.
        return isinstance(error, psycopg.OperationalError | psycopg.InterfaceError)
    return (
        sqlstate in _UNAVAILABLE_SQLSTATES
        or sqlstate.startswith(_CONNECTION_SQLSTATE_CLASS)
        or _stale_prepared_statement(error)
    )


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` (a psycopg error, or Django's wrapper of one) means the database server cannot serve
    right now. Only psycopg's own errors are read: SQLite's OperationalError also means a missing table."""
    if isinstance(exc, DatabaseUnavailable):
        return True
    driver_error = next((e for e in _causes(exc) if isinstance(e, psycopg.Error)), None)
    return driver_error is not None and _driver_error_unavailable(driver_error)


def drop_connections() -> None:
    """Close this thread's database connections without returning them to a pool, so the next query
    connects afresh (a read-only server would otherwise keep answering 25006 from a healthy-looking
    connection). Best effort: the connection is already broken."""
    for alias in connections:
        wrapper = connections[alias]
        raw = wrapper.connection
        if raw is None:
            continue
        with contextlib.suppress(Exception):
            raw.close()  # a closed connection is discarded by the pool, not kept
        with contextlib.suppress(Exception):
            wrapper.close()


def database_outage(exc: BaseException) -> DatabaseUnavailable | None:
    """The `service_unavailable` error a surface answers for `exc`, or None when `exc` is something else.

    When it is an outage, this thread's connections are dropped first, so the next request reconnects."""
    if not is_database_unavailable(exc):
        return None
    logger.warning("Database unavailable: %s: %s", type(exc).__name__, exc)
    drop_connections()
    return exc if isinstance(exc, DatabaseUnavailable) else DatabaseUnavailable()


def outage_as_unavailable(func: Callable[P, R]) -> Callable[P, R]:
    """`func`, with a database outage raised as DatabaseUnavailable (this thread's connections dropped first):
    for callers that retry on it (the gateway's acks, Celery's autoretry, the outbox). Any other error passes
    as it is."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except OUTAGE_CANDIDATES as exc:
            if (outage := database_outage(exc)) is None:
                raise
            raise outage from exc

    return run
