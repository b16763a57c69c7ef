"""Which database failures mean "unavailable, retry" (slackclone.db_unavailable), on real psycopg errors
from the real test database and a port nobody listens on."""

from __future__ import annotations

import json
import secrets

import psycopg
import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test import RequestFactory

from slackclone.db_unavailable import (
    RETRY_AFTER_SECONDS,
    DatabaseUnavailable,
    database_outage,
    is_database_unavailable,
    outage_as_unavailable,
)
from slackclone.error_pages import server_error
from slackclone.errors import ErrorCode
from slackclone.testing.processes import free_port

pytestmark = pytest.mark.django_db(transaction=True)


def _raw(**options) -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"], autocommit=True, **options
    )


def _caught(run) -> BaseException:
    try:
        run()
    except Exception as exc:
        return exc
    raise AssertionError("expected the database to refuse")


def test_a_refused_connection_is_unavailable_raw_and_wrapped_by_django():
    port = free_port()
    raw = _caught(lambda: psycopg.connect(host="127.0.0.1", port=port, user="postgres", connect_timeout=2))
    wrapper = DatabaseWrapper({**connection.settings_dict, "PORT": str(port)}, alias="closed")
    wrapped = _caught(wrapper.ensure_connection)
    assert isinstance(raw, psycopg.OperationalError)
    assert isinstance(wrapped, DatabaseError)
    assert is_database_unavailable(raw)
    assert is_database_unavailable(wrapped)


def _insert_read_only() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION READ ONLY")
        cursor.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now())")


def test_a_write_on_a_read_only_server_is_unavailable_and_its_connection_is_dropped():
    error = _caught(_insert_read_only)
    assert getattr(error.__cause__, "sqlstate", None) == "25006"
    outage = database_outage(error)
    assert isinstance(outage, DatabaseUnavailable)
    assert outage.code == ErrorCode.SERVICE_UNAVAILABLE
    assert outage.http_status == 503
    assert outage.retry_after > 0
    assert connection.connection is None  # the next query connects afresh (to the new primary)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_connection_ended_by_the_server_is_unavailable():
    with _raw() as victim, _raw() as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", [victim.info.backend_pid])
        error = _caught(lambda: victim.execute("SELECT 1"))
    assert isinstance(error, psycopg.OperationalError)
    assert is_database_unavailable(error)


def test_a_serialization_failure_is_the_request_s_own_not_an_outage():
    table = f"probe_{secrets.token_hex(4)}"
    with _raw() as setup:
        setup.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, n int)")
        setup.execute(f"INSERT INTO {table} VALUES (1, 0)")
        try:
            error = _serialization_failure(table)
        finally:
            setup.execute(f"DROP TABLE {table}")
    assert error.sqlstate == "40001"
    assert isinstance(error, psycopg.OperationalError)
    assert not is_database_unavailable(error)
    assert database_outage(error) is None


def _serialization_failure(table: str) -> psycopg.Error:
    with _raw() as first, _raw() as second:
        first.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        first.execute(f"SELECT n FROM {table} WHERE id = 1")
        second.execute(f"UPDATE {table} SET n = n + 1 WHERE id = 1")
        error = _caught(lambda: first.execute(f"UPDATE {table} SET n = n + 1 WHERE id = 1"))
        first.execute("ROLLBACK")
    assert isinstance(error, psycopg.Error)
    return error


def test_a_statement_prepared_before_a_column_changed_type_is_answered_as_an_outage_and_works_on_retry():
    """A migration that changes the type of a column a prepared statement returns makes PostgreSQL refuse
    that statement on its connection until it is prepared again: the connection is dropped, and the retry
    prepares it afresh."""
    table = f"probe_{secrets.token_hex(4)}"

    def read() -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, label FROM {table} WHERE id = %s", [1])
            return cursor.fetchall()

    with _raw() as setup:
        setup.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, label varchar(10))")
        setup.execute(f"INSERT INTO {table} VALUES (1, 'first')")
        try:
            for _ in range(7):  # prepared after five runs
                assert read() == [(1, "first")]
            setup.execute(f"ALTER TABLE {table} ALTER COLUMN label TYPE varchar(20)")
            error = _caught(read)
            assert getattr(error.__cause__, "sqlstate", None) == "0A000"
            assert isinstance(database_outage(error), DatabaseUnavailable)
            assert connection.connection is None
            assert read() == [(1, "first")]
        finally:
            connection.close()
            setup.execute(f"DROP TABLE {table}")


def test_code_that_retries_gets_an_outage_as_database_unavailable_and_any_other_error_as_it_is():
    @outage_as_unavailable
    def insert_read_only() -> None:
        _insert_read_only()

    @outage_as_unavailable
    def divide() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    with pytest.raises(DatabaseUnavailable):
        insert_read_only()
    assert connection.connection is None
    with pytest.raises(DatabaseError, match="division by zero"):
        divide()


def test_a_feature_postgresql_does_not_have_is_the_request_s_own_not_an_outage():
    with _raw() as raw:
        error = _caught(lambda: raw.execute("SELECT count(*) FROM pg_class FOR UPDATE"))
    assert isinstance(error, psycopg.Error)
    assert error.sqlstate == "0A000"  # as a stale statement's
    assert not is_database_unavailable(error)


def test_a_constraint_violation_is_not_an_outage():
    def insert_twice() -> None:
        with transaction.atomic(), connection.cursor() as cursor:  # rolled back by the failure
            cursor.execute("INSERT INTO django_migrations (id, app, name, applied) VALUES (-1, 'x', 'y', now())")
            cursor.execute("INSERT INTO django_migrations (id, app, name, applied) VALUES (-1, 'x', 'y', now())")

    error = _caught(insert_twice)
    assert isinstance(error, IntegrityError)
    assert not is_database_unavailable(error)


def _server_error_for(path: str, error: BaseException):
    """handler500 as Django calls it: inside the `except` block that caught the view's error."""
    try:
        raise error
    except BaseException:
        return server_error(RequestFactory().get(path))


@pytest.mark.parametrize(
    ("path", "content_type", "read", "expected"),
    [
        ("/api/v1/me", "application/json", lambda body: body["error"]["code"], "service_unavailable"),
        ("/api/chat.postMessage", "application/json", lambda body: body, {"ok": False, "error": "service_unavailable"}),
        ("/scim/v2/Users", "application/scim+json", lambda body: body["status"], "503"),
    ],
)
def test_an_outage_no_view_handled_is_a_503_in_the_address_s_own_shape(path, content_type, read, expected):
    refused = _caught(lambda: psycopg.connect(host="127.0.0.1", port=free_port(), user="postgres"))
    response = _server_error_for(path, refused)
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Type"] == content_type
    assert read(json.loads(response.content)) == expected


def test_an_outage_on_a_page_is_the_503_page_and_any_other_error_the_500_page():
    refused = _caught(lambda: psycopg.connect(host="127.0.0.1", port=free_port(), user="postgres"))
    page = _server_error_for("/outage/", refused)
    other = _server_error_for("/outage/", ValueError("a bug"))
    assert page.status_code == 503
    assert page["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "briefly unavailable" in page.content.decode()
    assert other.status_code == 500
    assert not other.has_header("Retry-After")
