"""Timestamps from PostgreSQL are parsed by psycopg-binary's compiled loader and carry Django's time zone,
exactly as Django's own loader gives them (slackclone.pg_timestamps)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg import adapt, adapters
from psycopg.postgres import types
from psycopg.pq import Format

from chat.models import Message
from chat.services import message_post
from slackclone.pg_timestamps import compiled_loader, loader_for, use_compiled_timestamps

pytestmark = pytest.mark.django_db
TIMESTAMPTZ_OID = types["timestamptz"].oid
SAMPLES = [
    "2026-12-07 06:01:02.123456+00",
    "2026-12-07 06:01:02+05:30",
    "1999-12-31 23:59:59.999999-08",
    "0001-01-01 00:00:00+00",
    "2026-02-28 10:00:00.5+00",
]


def djangos_loader(zone: timezone | None) -> adapt.Loader:
    """The loader Django registers for `zone`, on a map of its own."""
    context = adapt.AdaptersMap(adapters)
    holder = type("Holder", (), {"adapters": context})()
    register_tzloader(zone, holder)
    return context.get_loader(TIMESTAMPTZ_OID, Format.TEXT)(TIMESTAMPTZ_OID, connection.connection)


def test_the_process_uses_the_compiled_implementation():
    assert compiled_loader() is not None  # the project installs psycopg[binary]: requirements.txt


def test_each_connection_reads_timestamps_with_the_compiled_loader_in_djangos_zone():
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        (now,) = cursor.fetchone()
        used = cursor.cursor.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    assert used is loader_for(connection.timezone)
    assert now.tzinfo is connection.timezone is UTC


@pytest.mark.parametrize("zone", [UTC, timezone(timedelta(hours=2)), None])
def test_values_match_djangos_own_loader(zone):
    ours = loader_for(zone)(TIMESTAMPTZ_OID, connection.connection)
    theirs = djangos_loader(zone)
    for text in SAMPLES:
        read, expected = ours.load(text.encode()), theirs.load(text.encode())
        assert (read, read.tzinfo) == (expected, expected.tzinfo), text


def test_a_model_read_back_keeps_the_instant_it_was_saved_with(team):
    message = message_post(sender=team.member, channel=team.general, text="when")
    stored = Message.objects.get(pk=message.pk)
    assert stored.created_at == message.created_at
    assert stored.created_at.tzinfo is UTC
    assert isinstance(stored.created_at, datetime)


def test_a_connection_taken_again_keeps_its_loader_without_registering_it_again(monkeypatch):
    """Under a pool every checkout sends connection_created: the loader is registered once per connection."""
    connection.ensure_connection()
    registered: list[object] = []
    adapters = connection.connection.adapters
    monkeypatch.setattr(adapters, "register_loader", lambda *args: registered.append(args))
    use_compiled_timestamps(sender=None, connection=connection)
    assert registered == []
    assert adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT) is loader_for(connection.timezone)
    monkeypatch.undo()
    register_tzloader(connection.timezone, connection.connection)  # Django's own, as on a new connection
    use_compiled_timestamps(sender=None, connection=connection)
    assert adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT) is loader_for(connection.timezone)
