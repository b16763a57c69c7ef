"""Model instances from one hand-written SQL statement, for the reads every API request makes.

Authenticating a token and checking access to a channel run on every API call. Through the ORM they
were five queries, and Django spent longer building each (compiling joins, ordering, lookups) than
PostgreSQL spent running it. Here each is one statement, written once, whose row is cut into the
ordinary model instances the rest of the code expects: the same objects, the same field converters,
one round trip and no query building.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, JSONField, Model
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor, ImageFileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

ModelT = TypeVar("ModelT", bound=Model)
_PLAIN_ATTRIBUTES = (DeferredAttribute, ForeignKeyDeferredAttribute, FileDescriptor, ImageFileDescriptor)


def _function_of(classmethod_: Any) -> Any:
    return getattr(classmethod_, "__func__", None)


_DJANGOS_FROM_DB = _function_of(Model.from_db)


@dataclass(frozen=True)
class Columns(Generic[ModelT]):
    """A model's concrete columns (or `only` some), selected under a table alias, and how to rebuild the instance."""

    model: type[ModelT]
    alias: str
    only: tuple[str, ...] = ()  # a subset of field names (the pk among them); the rest are deferred

    @cached_property
    def fields(self) -> list[Field[Any, Any]]:
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
    def _converters(self) -> list[tuple[int, list[Any]]]:
        connection = connections[DEFAULT_DB_ALIAS]
        found = []
        for index, field in enumerate(self.fields):
            backend_converters = connection.ops.get_db_converters(field.get_col(self.alias))
            # Field.get_db_converters is Django's (the field's from_db_value); the stubs leave it out.
            converters = backend_converters + field.get_db_converters(connection)  # type: ignore[attr-defined]
            if converters and isinstance(field, JSONField) and field.decoder is None:
                converters = [_empty_list_at_once(converters)]
            if converters:
                found.append((index, converters))
        return found

    @cached_property
    def _pk_index(self) -> int:
        return self.fields.index(self.model._meta.pk)

    @cached_property
    def _by_pk_sql(self) -> str:
        meta = self.model._meta
        return f'SELECT {self.sql} FROM "{meta.db_table}" {self.alias} WHERE {self.alias}."{meta.pk.column}" = %s'

    def by_pk(self, pk: Any, *, using: str = DEFAULT_DB_ALIAS) -> ModelT | None:
        """The row with this primary key, or None: `Model.objects.filter(pk=pk).first()` without building
        the query, for the look-ups every socket frame makes."""
        with connections[using].cursor() as cursor:
            cursor.execute(self._by_pk_sql, [pk])
            row = cursor.fetchone()
        return None if row is None else self.instance(row, using=using)

    def instance_or_none(self, values: Sequence[Any], *, using: str = DEFAULT_DB_ALIAS) -> ModelT | None:
        """As instance, for a table on the outer side of a join: None when the join found no row."""
        if values[self._pk_index] is None:
            return None
        return self.instance(values, using=using)

    def instance(self, values: Sequence[Any], *, using: str = DEFAULT_DB_ALIAS) -> ModelT:
        """The instance these values (this model's columns, in order) describe: a row the statement always has
        (its FROM table, an inner join)."""
        if self._converters:
            values = list(values)
            connection = connections[using]
            for index, converters in self._converters:
                for converter in converters:
                    values[index] = converter(values[index], self.fields[index], connection)
        if not self._built_without_init:
            return self.model.from_db(using, self._attnames, values)
        built = self.model.__new__(self.model)
        built.__dict__.update(zip(self._attnames, values, strict=True))
        state = built._state = ModelState()
        state.adding, state.db = False, using
        return built

    @cached_property
    def _built_without_init(self) -> bool:
        """Whether an instance may be built as from_db builds it, without Model.__init__: the model keeps Django's
        __init__ and from_db, no receiver listens for its init signals and no field's attribute transforms what
        is set on it on a new instance (plain columns; a foreign key's, which only clears a related instance a
        new one does not have; a file's, which stores the name as given). Model.__init__ costs more than the
        rest of a row's reading, and a page of history reads a hundred rows. Decided at the first row read:
        models and their receivers are set up at import, before any."""
        if self.model.__init__ is not Model.__init__ or _function_of(self.model.from_db) is not _DJANGOS_FROM_DB:
            return False
        if pre_init.has_listeners(self.model) or post_init.has_listeners(self.model):
            return False
        return all(type(getattr(self.model, name)) in _PLAIN_ATTRIBUTES for name in self._attnames)


def _empty_list_at_once(converters: list[Any]) -> Any:
    """A JSON column's converters as one that answers the empty list without parsing it: most messages' blocks
    and attachments are `[]`, and a page of history reads two of them per message."""

    def convert(value: Any, expression: Any, connection: Any) -> Any:
        if value == "[]":
            return []
        for converter in converters:
            value = converter(value, expression, connection)
        return value

    return convert


def split_row(row: Sequence[Any], *parts: Columns[Any] | int, using: str = DEFAULT_DB_ALIAS) -> list[Any]:
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
            out.append(part.instance_or_none(row[position : position + width], using=using))
            position += width
    return out
