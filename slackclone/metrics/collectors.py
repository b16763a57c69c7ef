"""Collectors read when scraped, not recorded as things happen.

PoolCollector (every process, in the default registry) reports the psycopg pools Django keeps under
DATABASE_POOL, from their in-memory counters. The database collectors (database_registry: beat's metrics,
and /metrics where METRICS_DATABASE_COLLECTORS is on) ask the database: each outbox's backlog and the age
of its oldest row, connections open by process (pg_stat_activity's application_name), and the replica's
replay lag and whether it is a standby at all, with a short statement timeout and a few seconds' cache so a
slow replica never stalls a scrape.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

from django.conf import settings
from django.db import connections
from django.utils.module_loading import import_string
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)


class PoolCollector(Collector):
    """slackclone_db_pool_*: size, idle connections and waiting requests of each alias's connection pool."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        size = GaugeMetricFamily("slackclone_db_pool_size", "Connections in the pool, idle or lent.", labels=["alias"])
        idle = GaugeMetricFamily("slackclone_db_pool_idle", "Idle connections in the pool.", labels=["alias"])
        waiting = GaugeMetricFamily(
            "slackclone_db_pool_waiting", "Requests waiting for a pooled connection.", labels=["alias"]
        )
        for alias, stats in _pool_stats():
            size.add_metric([alias], stats.get("pool_size", 0))
            idle.add_metric([alias], stats.get("pool_available", 0))
            waiting.add_metric([alias], stats.get("requests_waiting", 0))
        yield from (size, idle, waiting)


def _pool_stats() -> Iterator[tuple[str, dict[str, int]]]:
    for alias in connections:
        wrapper = connections[alias]
        pools = getattr(type(wrapper), "_connection_pools", None)  # the postgresql backend's, per alias
        pool = pools.get(alias) if pools else None
        if pool is not None:
            yield alias, pool.get_stats()


class BacklogCollector(Collector):
    """slackclone_outbox_backlog, slackclone_outbox_oldest_age_seconds and slackclone_outbox_failed, one series
    per outbox."""

    def describe(self) -> list[GaugeMetricFamily]:
        return []  # registering must not query the database

    def collect(self) -> Iterator[GaugeMetricFamily]:
        rows = GaugeMetricFamily("slackclone_outbox_backlog", "Outbox rows not yet handed on.", labels=["outbox"])
        age = GaugeMetricFamily(
            "slackclone_outbox_oldest_age_seconds", "Age of the oldest row not yet handed on.", labels=["outbox"]
        )
        for name, path in settings.METRICS_BACKLOG_SELECTORS.items():
            try:
                selector = import_string(path)
            except ImportError:
                continue  # that outbox's app is not part of this installation
            try:
                count, oldest_age = selector()
            except Exception as exc:
                logger.warning("Could not read the %s backlog: %s", name, exc)
                continue
            rows.add_metric([name], count)
            age.add_metric([name], oldest_age)
        yield from (rows, age, self._failed())

    def _failed(self) -> GaugeMetricFamily:
        failed = GaugeMetricFamily(
            "slackclone_outbox_failed", "Outbox rows a handler refused, kept with the reason.", labels=["outbox"]
        )
        for name, path in settings.METRICS_FAILED_SELECTORS.items():
            try:
                failed.add_metric([name], import_string(path)())
            except ImportError:
                continue
            except Exception as exc:
                logger.warning("Could not count the %s failed rows: %s", name, exc)
        return failed


class ConnectionsCollector(Collector):
    """slackclone_db_connections: connections open to the primary's database, by the process kind that holds
    them (DATABASE_APPLICATION_NAME)."""

    def describe(self) -> list[GaugeMetricFamily]:
        return []  # registering must not query the database

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "slackclone_db_connections", "Connections open to the database, by application_name.", labels=["app"]
        )
        if connections["default"].vendor == "postgresql":
            try:
                with connections["default"].cursor() as cursor:
                    cursor.execute(
                        "SELECT application_name, count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() GROUP BY 1"
                    )
                    for app, count in cursor.fetchall():
                        family.add_metric([app or "unnamed"], count)
            except Exception as exc:
                logger.warning("Could not count database connections: %s", exc)
        yield family


# What the server behind DATABASE_REPLICA_URL says: whether it is a standby (in recovery), and its replay lag.
ReplicaReading = tuple[bool, float | None]


class ReplicaLagCollector(Collector):
    """slackclone_replica_lag_seconds: how far the replica's replay is behind (now() minus the time of the last
    transaction it replayed), and slackclone_replica_is_standby: 1 when the server is in recovery, 0 when the
    replica URL reached a primary (a failover promoted it with no standby back yet, or the URL names the
    primary; the application then reads from the primary: slackclone/db_router.py), when no lag is reported,
    as a promoted server's replay time stands still. Both are asked of DATABASE_REPLICA_URL on a short-lived
    connection of their own and reused for METRICS_REPLICA_LAG_CACHE_SECONDS. Nothing is reported when the
    replica cannot be asked.

    An idle primary makes the lag grow although nothing is missing; read it beside the write rate."""

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._reading: tuple[float, ReplicaReading | None] | None = None  # (when, reading)

    def describe(self) -> list[GaugeMetricFamily]:
        return []  # registering must not query the database

    def collect(self) -> Iterator[GaugeMetricFamily]:
        lag = GaugeMetricFamily("slackclone_replica_lag_seconds", "Replay lag of the PostgreSQL replica, in seconds.")
        standby = GaugeMetricFamily(
            "slackclone_replica_is_standby", "1 when the replica URL reaches a standby, 0 when it reaches a primary."
        )
        reading = self.reading()
        if reading is not None:
            is_standby, seconds = reading
            standby.add_metric([], int(is_standby))
            if is_standby and seconds is not None:
                lag.add_metric([], seconds)
        yield from (lag, standby)

    def reading(self) -> ReplicaReading | None:
        if not settings.DATABASE_REPLICA_URL:
            return None
        with self._lock:
            now = self._clock()
            if self._reading is None or now - self._reading[0] >= settings.METRICS_REPLICA_LAG_CACHE_SECONDS:
                self._reading = (now, _ask_replica(settings.DATABASE_REPLICA_URL))
            return self._reading[1]


def _ask_replica(url: str) -> ReplicaReading | None:
    import psycopg

    timeout_ms = settings.METRICS_REPLICA_LAG_TIMEOUT_MS
    try:
        with psycopg.connect(
            url,
            connect_timeout=max(1, timeout_ms // 1000),
            options=f"-c statement_timeout={timeout_ms}",
            application_name="slackclone-metrics",
        ) as conn:
            row = conn.execute(
                "SELECT pg_is_in_recovery(), EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
            ).fetchone()
    except Exception as exc:
        logger.warning("Could not read the replica's lag: %s", exc)
        return None
    if row is None:
        return None
    return bool(row[0]), float(row[1]) if row[1] is not None else None


def database_collectors() -> list[Collector]:
    """The collectors that query the database."""
    return [BacklogCollector(), ConnectionsCollector(), ReplicaLagCollector()]


def database_registry() -> CollectorRegistry:
    """The collectors that query the database, in a registry of their own (made once per process)."""
    global _database_registry
    if _database_registry is None:
        registry = CollectorRegistry(auto_describe=False)
        for collector in database_collectors():
            registry.register(collector)
        _database_registry = registry
    return _database_registry


_database_registry: CollectorRegistry | None = None


def register_pool_collector() -> None:
    """Add PoolCollector to the default registry, once."""
    global _pool_registered
    if not _pool_registered:
        REGISTRY.register(PoolCollector())
        _pool_registered = True


_pool_registered = False
