"""Which database a heavy read goes to: the replica when it is usable, the primary when the reader just
wrote, when the replica is down or lags past the bound, and always when there is none.

The replica here is a second, real database alias (its own connection to the test database, committed
data only, as a replica sees it); the cluster tests (cluster/tests) run the same rules against a real
streaming replica.
"""

from __future__ import annotations

import pytest
from django.db import connections, transaction

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
    """A replica configured (DATABASE_REPLICA_URL), healthy until the test says otherwise."""
    assert settings.DATABASES["replica"] is _replica_alias  # Django's connections share the settings' dict
    original = dict(_replica_alias)
    db_router._health.forget()
    yield _replica_alias
    connections["replica"].close()
    _replica_alias.update(original)
    db_router._health.forget()


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
