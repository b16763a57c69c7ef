"""The notification job's bulk writes: one statement each for thousands of rows.

An @channel to 5,000 people writes 5,000 notifications and up to 5,000 email batches. On
PostgreSQL each write is one INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING: the
rows travel as a handful of array parameters, with no model instance or SQL fragment per row
(Django's bulk_create spends most of its time building those). Conflicts (the job ran before
for this message, or a person already has a pending email) are skipped by the unique indexes,
which is what makes the job idempotent. Other databases (SQLite in the embedded default) take
the ORM path, which does the same more slowly.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Field, Model

from notifications.models import MissedMessageEmail, Notification

if TYPE_CHECKING:
    from chat.models import Message


def _column(model: type[Model], name: str) -> str:
    """The quoted column of one of `model`'s concrete fields (a reverse relation has none)."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:
        raise TypeError(f"{model.__name__}.{name} has no column of its own.")
    return connection.ops.quote_name(field.column)


def _columns(model: type[Model], *names: str) -> str:
    return ", ".join(_column(model, name) for name in names)


def insert_notifications(*, message: Message, people: list[tuple[int, str, bool]], now: datetime) -> None:
    """One notification per (user id, reason, email wanted) about `message`; existing ones are left as they are."""
    if connection.vendor != "postgresql":
        Notification.objects.bulk_create(
            [
                Notification(
                    user_id=user_id,
                    workspace_id=message.channel.workspace_id,
                    channel_id=message.channel_id,
                    message_id=message.pk,
                    seq=message.seq,
                    reason=reason,
                    created_at=now,
                    email_wanted=email_wanted,
                )
                for user_id, reason, email_wanted in people
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        return
    columns = _columns(
        Notification, "user", "workspace", "channel", "message", "seq", "reason", "created_at", "email_wanted"
    )
    sql = (
        f"INSERT INTO {connection.ops.quote_name(Notification._meta.db_table)} ({columns}) "
        "SELECT person, %s, %s, %s, %s, reason, %s, email_wanted "
        "FROM unnest(%s::bigint[], %s::text[], %s::boolean[]) AS t(person, reason, email_wanted) "
        "ON CONFLICT DO NOTHING"
    )
    user_ids, reasons, wanted = (list(column) for column in zip(*people, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [message.channel.workspace_id, message.channel_id, message.pk, message.seq, now, user_ids, reasons, wanted],
        )


def open_email_batches(*, workspace_id: int, people: list[tuple[int, datetime]], now: datetime) -> None:
    """A pending missed-message email per (user id, due time), unless the person already has one pending."""
    if connection.vendor != "postgresql":
        MissedMessageEmail.objects.bulk_create(
            [
                MissedMessageEmail(user_id=user_id, workspace_id=workspace_id, due_at=due_at, created_at=now)
                for user_id, due_at in people
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        return
    columns = _columns(MissedMessageEmail, "user", "workspace", "state", "due_at", "created_at", "message_count")
    sql = (
        f"INSERT INTO {connection.ops.quote_name(MissedMessageEmail._meta.db_table)} ({columns}) "
        "SELECT person, %s, %s, due_at, %s, 0 FROM unnest(%s::bigint[], %s::timestamptz[]) AS t(person, due_at) "
        "ON CONFLICT DO NOTHING"
    )
    user_ids, due = (list(column) for column in zip(*people, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(sql, [workspace_id, MissedMessageEmail._meta.get_field("state").default, now, user_ids, due])


def mark_pushed(*, message_id: int, user_ids: list[int], now: datetime) -> list[int]:
    """Stamp the real-time push on these people's notifications of a message; returns those not stamped before.

    Each row is stamped by exactly one job, even two running at once: the second waits for the
    first's row locks and then finds the rows stamped.
    """
    if connection.vendor != "postgresql":
        rows = Notification.objects.filter(message_id=message_id, user_id__in=user_ids, pushed_at__isnull=True)
        fresh = list(rows.select_for_update().values_list("user_id", flat=True))
        Notification.objects.filter(message_id=message_id, user_id__in=fresh).update(pushed_at=now)
        return fresh
    table = connection.ops.quote_name(Notification._meta.db_table)
    pushed, message, person = (_column(Notification, name) for name in ("pushed_at", "message", "user"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {pushed} = %s WHERE {message} = %s AND {person} = ANY(%s::bigint[]) "
            f"AND {pushed} IS NULL RETURNING {person}",
            [now, message_id, user_ids],
        )
        return [row[0] for row in cursor.fetchall()]
