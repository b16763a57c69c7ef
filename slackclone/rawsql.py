"""Model instances from one hand-written SQL statement, for the reads every API request makes.

Authenticating a token and checking access to a channel run on every API call. Through the ORM they
were five queries, and Django spent longer building each (compiling joins, ordering, lookups) than
PostgreSQL spent running it. Here each is one statement, written once, whose row is cut into the
ordinary model instances the rest of the code expects: the same objects, the same field converters,
one round trip and no query building.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model


@dataclass(frozen=True)
class Columns:
    """A model's concrete columns (or `only` some), selected under a table alias, and how to rebuild the instance."""

    model: type[Model]
    alias: str
    only: tuple[str, ...] = ()  # a subset of field names (the pk among them); the rest are deferred

    @cached_property
    def fields(self) -> list:
        fields = self.model._meta.concrete_fields
        if not self.only:
            return list(fields)
        unknown = set(self.only) - {field.name for field in fields}
        if unknown:
            raise ValueError(f"{self.model.__name__} has no fields {sorted(unknown)}")
        return [field for field in fields if field.name in self.only]

    @property
    def sql(self) -> str:
        return ", ".join(f'{self.alias}."{field.column}"' for field in self.fields)

    @cached_property
    def _attnames(self) -> list[str]:
        return [field.attname for field in self.fields]

    @cached_property
    def _converters(self) -> list[tuple[int, list]]:
        connection = connections[DEFAULT_DB_ALIAS]
        found = []
        for index, field in enumerate(self.fields):
            converters = connection.ops.get_db_converters(field.get_col(self.alias)) + field.get_db_converters(
                connection
            )
            if converters:
                found.append((index, converters))
        return found

    @cached_property
    def _pk_index(self) -> int:
        return self.fields.index(self.model._meta.pk)

    def instance(self, values: tuple | list, *, using: str = DEFAULT_DB_ALIAS) -> Model | None:
        """The instance these values (this model's columns, in order) describe; None for an outer join's miss."""
        if values[self._pk_index] is None:
            return None
        if self._converters:
            values = list(values)
            connection = connections[using]
            for index, converters in self._converters:
                for converter in converters:
                    values[index] = converter(values[index], self.fields[index], connection)
        return self.model.from_db(using, self._attnames, values)


def split_row(row: tuple, *parts: Columns | int, using: str = DEFAULT_DB_ALIAS) -> list[Any]:
    """Cut a row read from `using` into instances (for each Columns) and plain values (an int n takes the
    next n columns)."""
    out: list[Any] = []
    position = 0
    for part in parts:
        if isinstance(part, int):
            out.extend(row[position : position + part])
            position += part
        else:
            width = len(part.fields)
            out.append(part.instance(row[position : position + width], using=using))
            position += width
    return out
