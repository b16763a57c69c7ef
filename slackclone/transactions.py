"""Transactions whose commit need not wait for the write-ahead log to reach the disk."""

from __future__ import annotations

from django.db import connection


def commit_without_waiting_for_flush() -> None:
    """In the current transaction (PostgreSQL): commit without waiting for the WAL flush.

    For writes a crash of the database server may lose without harm, because they are redone: a bulk
    load's batch (a rerun reloads it), a delivery's bookkeeping (the delivery is sent again, with its
    event_id, which apps use to recognise a repeat). The commits that must last, such as the change and
    its outbox row, keep waiting. SQLite has no such setting and needs none here.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO off")
