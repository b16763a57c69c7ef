"""Small helpers for reading through the ORM on the request path."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import QuerySet

RowT = TypeVar("RowT")


def unique_or_none(queryset: QuerySet[Any, RowT]) -> RowT | None:
    """The one row a lookup on a unique key finds (an instance, or values), or None.

    QuerySet.first() orders by the primary key to choose among rows. Building that ORDER BY makes Django
    hash every selected column's expression, which on a query that follows foreign keys takes longer
    than PostgreSQL takes to run it. A lookup on a unique key has at most one row and needs no order,
    so every lookup the request path makes by a unique key reads through here.
    """
    return next(iter(queryset[:1]), None)
