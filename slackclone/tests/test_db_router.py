"""Which database a heavy read goes to: the replica when it is usable, the primary when the reader just
wrote, when the replica is down or lags past the bound, and always when there is none.

The replica here is a second, real database alias (its own connection to the test database, committed
data only, as a replica sees it); the cluster tests (cluster/tests) run the same rules against a real
streaming replica. That database is a primary, not in recovery: the tests that need a standby let it stand
in for one (REPLICA_MUST_BE_STANDBY off), and the tests of a replica URL that reaches a primary use it as it is.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections, transaction
from django.db.backends.signals import connection_created

from chat.search import search_messages
from chat.selectors import history_page, thread_page, unread_counts
from chat.services import message_post
from slackclone import db_router
from slackclone.testing.processes import free_port
from workspaces.models import Membership

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture(scope="module", autouse=True)
def _replica_alias(django_db_setup, django_db_blocker):
    """A `replica` connection to the test database (a mirror: nothing to create or flush), for this module."""
    config = {**connections["default"].settings_dict, "OPTIONS": {"connect_timeout": 2}, "TEST": {"MIRROR": "default"}}
    connections.settings["replica"] = config
    yield config
    connections["replica"].close()
    del connections["replica"]
    del connections.settings["replica"]


@pytest.fixture
def replica(settings, _replica_alias):
    """A replica configured (DATABASE_REPLICA_URL), healthy until the test says otherwise.

    The test database stands in for a standby, though it is a primary."""
    assert settings.DATABASES["replica"] is _replica_alias  # Django's connections share the settings' dict
    settings.REPLICA_MUST_BE_STANDBY = False
    original = dict(_replica_alias)
    db_router._health.forget()
    yield _replica_alias
    connections["replica"].close()
    _replica_alias.update(original)
    db_router._health.forget()
    db_router._health.on_primary = False


@pytest.fixture
def primary_behind_replica(replica, settings):
    """DATABASE_REPLICA_URL reaches the local PostgreSQL primary (not in recovery), as replica connections do
    after a failover promoted their standby, or when the URL names the primary by mistake."""
    settings.REPLICA_MUST_BE_STANDBY = True
    return replica


@pytest.fixture
def clock(monkeypatch):
    """The health check's clock, moved by the test (seconds)."""
    now = [1000.0]
    monkeypatch.setattr(db_router._health, "clock", lambda: now[0])
    return now


@pytest.fixture
def replica_connects():
    """The number of connections opened on the replica alias, in any thread, while the test runs."""
    opened: list[str] = []

    def count(sender, connection, **kwargs) -> None:
        if connection.alias == "replica":
            opened.append(connection.alias)

    connection_created.connect(count, weak=False)
    yield opened
    connection_created.disconnect(count)


@pytest.fixture
def other_thread():
    """One more thread, the same one for every call (as a server's worker thread), its connections closed after."""
    with ThreadPoolExecutor(max_workers=1) as pool:

        def run(function):
            return pool.submit(function).result()

        yield run
        pool.submit(connections.close_all).result()


@pytest.fixture
def dead_replica(replica):
    replica["PORT"] = str(free_port())
    return replica


def test_without_a_replica_every_read_stays_on_the_primary(team, settings):
    settings.DATABASES = {"default": settings.DATABASES["default"]}
    assert db_router.reads_for(team.member) == "default"
    message_post(sender=team.member, channel=team.general, text="hello")
    page = history_page(channel=team.general, reader=team.member)
    assert {m._state.db for m in page.messages} == {"default"}


def test_history_threads_and_unread_counts_are_read_from_a_usable_replica(team, replica):
    root = message_post(sender=team.owner, channel=team.general, text="root")
    message_post(sender=team.owner, channel=team.general, text="reply", thread_ts=root.ts)
    assert db_router.reads_for(team.member) == "replica"
    page = history_page(channel=team.general, reader=team.member)
    replies, _ = thread_page(root=root, reader=team.member)
    assert [m.text for m in page.messages] == ["root"]
    assert {m._state.db for m in page.messages + replies} == {"replica"}
    assert unread_counts(user=team.member)[team.general.public_id]["unread"] == 1


def test_search_is_read_from_a_usable_replica(team, replica):
    message_post(sender=team.owner, channel=team.general, text="the quarterly forecast")
    membership = Membership.objects.get(user=team.member, workspace=team.workspace)
    results = search_messages(user=team.member, workspace=team.workspace, membership=membership, q="forecast")
    assert [(m.message.text, m.message._state.db) for m in results.matches] == [("the quarterly forecast", "replica")]


def test_the_author_of_a_post_reads_from_the_primary_for_a_while(team, replica, settings):
    message_post(sender=team.member, channel=team.general, text="mine")
    assert db_router.reads_for(team.member) == "default"
    assert db_router.reads_for(team.owner) == "replica"
    page = history_page(channel=team.general, reader=team.member)
    assert page.messages[0].text == "mine"
    assert page.messages[0]._state.db == "default"


def test_an_unsafe_request_pins_its_user_to_the_primary(team, replica, client):
    message_post(sender=team.member, channel=team.general, text="to read")
    client.force_login(team.owner)
    assert db_router.reads_for(team.owner) == "replica"
    response = client.post(
        f"/api/v1/channels/{team.general.public_id}/read", {"seq": 1}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert db_router.reads_for(team.owner) == "default"


def test_a_refused_request_pins_nobody(team, replica, client):
    client.force_login(team.owner)
    response = client.post(f"/api/v1/channels/{team.general.public_id}/read", {}, content_type="application/json")
    assert response.status_code == 400
    assert db_router.reads_for(team.owner) == "replica"


def test_a_rolled_back_write_pins_nobody(team, replica):
    db_router.pin_on_commit(team.owner.pk)  # outside a transaction: runs at once
    assert db_router.reads_for(team.owner) == "default"
    with transaction.atomic():
        db_router.pin_on_commit(team.member.pk)
        transaction.set_rollback(True)
    assert db_router.reads_for(team.member) == "replica"


def test_a_replica_that_is_down_sends_reads_to_the_primary_without_an_error(team, dead_replica):
    message_post(sender=team.owner, channel=team.general, text="still readable")
    assert db_router.reads_for(team.member) == "default"
    page = history_page(channel=team.general, reader=team.member)
    assert page.messages[0].text == "still readable"
    assert unread_counts(user=team.member)[team.general.public_id]["unread"] == 1


def test_a_replica_lagging_past_the_bound_is_not_used(team, replica, settings):
    settings.REPLICA_MAX_LAG_SECONDS = -1  # any lag, even none, is past this bound
    assert db_router.reads_for(team.member) == "default"


def test_the_replica_check_is_cached_then_repeated(team, replica, settings):
    settings.REPLICA_CHECK_SECONDS = 60
    assert db_router.replica_usable() is True
    replica["PORT"] = str(free_port())
    connections["replica"].close()
    assert db_router.replica_usable() is True  # cached: no query per read
    db_router._health.forget()
    assert db_router.replica_usable() is False


def test_a_replica_that_fails_mid_read_gives_way_to_the_primary_without_an_error(team, replica, settings):
    settings.REPLICA_CHECK_SECONDS = 60
    message_post(sender=team.owner, channel=team.general, text="survives")
    assert db_router.replica_usable() is True
    replica["PORT"] = str(free_port())  # the replica goes away between two health checks
    connections["replica"].close()
    page = history_page(channel=team.general, reader=team.member)
    assert [(m.text, m._state.db) for m in page.messages] == [("survives", "default")]
    assert unread_counts(user=team.member)[team.general.public_id]["unread"] == 1
    assert db_router.replica_usable() is False  # marked down at once, for every later read


def test_objects_read_from_the_replica_are_saved_to_the_primary(team, replica):
    message_post(sender=team.owner, channel=team.general, text="before")
    message = history_page(channel=team.general, reader=team.member).messages[0]
    assert message._state.db == "replica"
    assert message.author._state.db == "replica"
    router = db_router.PrimaryRouter()
    assert router.db_for_write(type(message), instance=message) == "default"
    assert router.allow_migrate("replica", "chat") is False
    assert router.allow_migrate("default", "chat") is True


def test_a_replica_url_that_reaches_a_primary_sends_reads_to_the_primary_and_names_it(
    team, primary_behind_replica, caplog
):
    message_post(sender=team.owner, channel=team.general, text="from the primary")
    with caplog.at_level(logging.WARNING, logger="slackclone.db_router"):
        assert db_router.reads_for(team.member) == "default"
    assert "127.0.0.1:5432, which is a primary" in caplog.text
    page = history_page(channel=team.general, reader=team.member)
    assert [(m.text, m._state.db) for m in page.messages] == [("from the primary", "default")]


def test_replica_connections_of_other_threads_are_closed_on_their_next_use(team, primary_behind_replica, other_thread):
    def open_replica_connection() -> None:  # as before a failover: opened to the standby, now promoted
        connections["replica"].ensure_connection()

    def replica_connection_is_open() -> bool:
        return connections["replica"].connection is not None

    other_thread(open_replica_connection)
    assert db_router.reads_for(team.member) == "default"  # this thread's check finds the primary
    assert connections["replica"].connection is None
    assert other_thread(replica_connection_is_open)  # nothing reaches into another thread's connection...
    assert other_thread(lambda: db_router.reads_for(team.member)) == "default"
    assert not other_thread(replica_connection_is_open)  # ...which closes on that thread's next use


def test_a_replica_url_naming_only_a_primary_reconnects_at_most_once_per_check_interval(
    team, primary_behind_replica, settings, clock, replica_connects, other_thread, caplog
):
    settings.REPLICA_CHECK_SECONDS = 1.0
    with caplog.at_level(logging.WARNING, logger="slackclone.db_router"):
        for _ in range(12):  # three seconds of reads, from two threads
            assert db_router.reads_for(team.member) == "default"
            assert other_thread(lambda: db_router.reads_for(team.member)) == "default"
            clock[0] += 0.25
    assert len(replica_connects) == 3  # one check, so one connection, per interval
    warnings = [r for r in caplog.records if "which is a primary" in r.getMessage()]
    assert len(warnings) == 1  # once per episode, not once per check


def test_reads_return_to_the_replica_within_a_check_interval_once_it_is_a_standby(
    team, primary_behind_replica, settings, clock
):
    settings.REPLICA_CHECK_SECONDS = 1.0
    message_post(sender=team.owner, channel=team.general, text="back on the standby")
    assert db_router.reads_for(team.member) == "default"
    settings.REPLICA_MUST_BE_STANDBY = False  # the test database stands in for the standby that came back
    clock[0] += 0.9
    assert db_router.reads_for(team.member) == "default"  # the last check's answer holds for its interval
    clock[0] += 0.1
    assert db_router.reads_for(team.member) == "replica"
    page = history_page(channel=team.general, reader=team.member)
    assert [(m.text, m._state.db) for m in page.messages] == [("back on the standby", "replica")]
