"""The jobs the outbox knows: a name, the Celery queue that runs it, and its handler.

Each app registers its handlers in its own `jobs.py` (imported when Django starts, OutboxConfig.ready),
and the services that cause the work name the job by its string, so the outbox needs no import of
the apps above it and a row written by one release is understood by the next.

A handler is idempotent: running it twice has the effect of running it once (its writes are keyed by
what it was given, or it checks a state it moves forward). `atomic` handlers change only the database:
they run in one transaction with the row's `done` mark, so their effect and the mark commit together.
The others talk to the network (mail, HTTP) and run outside any transaction, under the worker's lease.
"""

from __future__ import annotations

import inspect
import smtplib
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import InterfaceError, OperationalError
from redis.exceptions import RedisError

from slackclone.db_unavailable import DatabaseUnavailable

# Errors that pass: the database, Redis, a mail server or a peer unreachable for now. A job that meets
# one is retried; any other error is a fault of the job, kept with the row. DatabaseUnavailable is what
# slackclone.db_unavailable makes of any other database error that passes (a stale prepared statement).
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    DatabaseUnavailable,
    RedisError,
    smtplib.SMTPException,
    socket.timeout,
    ConnectionError,
)


@dataclass(frozen=True)
class Job:
    name: str
    queue: str
    handler: Callable[..., Any]
    atomic: bool

    def bind(self, args: Any, kwargs: Any) -> inspect.BoundArguments:
        """The row's arguments checked against the handler's signature; raises TypeError naming what is wrong."""
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            raise TypeError("args must be a JSON list and kwargs a JSON object")
        return inspect.signature(self.handler).bind(*args, **kwargs)


_JOBS: dict[str, Job] = {}


def job(name: str, *, queue: str, atomic: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as the handler of `name`, run by the workers of `queue`."""

    def register(handler: Callable[..., Any]) -> Callable[..., Any]:
        existing = _JOBS.get(name)
        if existing is not None and existing.handler is not handler:
            raise ValueError(f"The outbox job {name!r} is already registered by {existing.handler.__module__}")
        _JOBS[name] = Job(name=name, queue=queue, handler=handler, atomic=atomic)
        return handler

    return register


def job_named(name: str) -> Job | None:
    return _JOBS.get(name)


def registered_jobs() -> list[Job]:
    return sorted(_JOBS.values(), key=lambda registered: registered.name)
