"""Timestamps read from PostgreSQL by psycopg's compiled parser, in the time zone Django expects.

Django reads every `timestamptz` through a subclass of psycopg's pure-Python loader (to set the tzinfo it
wants), which leaves aside the compiled one that psycopg-binary ships: parsing the text took about three
times as long, and a page of history reads a few timestamps per message. The loader here has Django's
contract (a `timezone` attribute that Django's cursors compare against theirs, the value's tzinfo replaced
by it, as the session's TimeZone is that zone) and hands the parsing to the compiled loader.
Without psycopg-binary (the pure-Python implementation, or a C one built locally), nothing changes.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from functools import cache
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import pq
from psycopg.abc import AdaptContext
from psycopg.adapt import Loader
from psycopg.postgres import types

TIMESTAMPTZ = "timestamptz"
TIMESTAMPTZ_OID = types[TIMESTAMPTZ].oid


@cache
def compiled_loader() -> type[Any] | None:
    """psycopg-binary's compiled timestamptz loader, if this process uses it."""
    if pq.__impl__ != "binary":
        return None
    from psycopg_binary import _psycopg  # present whenever the binary implementation is

    loader: type[Any] = getattr(_psycopg, "TimestamptzLoader")  # noqa: B009  (the stubs leave it out)
    return loader


@cache
def loader_for(zone: tzinfo | None) -> type[Loader]:
    """A loader class whose values carry `zone` (None: naive), as Django's own for that zone does."""
    compiled = compiled_loader()
    assert compiled is not None
    parser_class: type[Any] = compiled

    class CompiledTimestamptzLoader(Loader):
        timezone = zone

        def __init__(self, oid: int, context: AdaptContext | None = None):
            super().__init__(oid, context)
            self._parse = parser_class(oid, context).load

        def load(self, data: Any) -> datetime:
            return self._parse(data).replace(tzinfo=self.timezone)

    return CompiledTimestamptzLoader


def use_compiled_timestamps(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """connection_created: a PostgreSQL connection reads timestamptz with loader_for its time zone."""
    if connection.vendor != "postgresql" or compiled_loader() is None:
        return
    # Under a pool, every checkout of a connection sends connection_created; registering copies the
    # connection's adapter map, so it is done once per psycopg connection.
    wanted = loader_for(connection.timezone)
    adapters = connection.connection.adapters
    if adapters.get_loader(TIMESTAMPTZ_OID, pq.Format.TEXT) is not wanted:
        adapters.register_loader(TIMESTAMPTZ, wanted)
