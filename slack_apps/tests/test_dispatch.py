"""Dispatch: a change costs its request one outbox row however many apps hear of it; which apps hear of
it is decided after the commit, once, and old events are forgotten."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chat.services import channel_invite, message_post
from slack_apps.dispatch import fan_out, forget_old_events, undispatched_event_ids
from slack_apps.manifest import spec_from_options
from slack_apps.models import AppEvent, EventDelivery
from slack_apps.services import app_create
from slack_apps.tests.support import fanned_out, forget_events

pytestmark = pytest.mark.django_db


def install(team, count: int, *, first: int = 0) -> list:
    apps = [
        app_create(actor=team.admin, workspace=team.workspace, spec=spec_from_options(name=f"Listener {n}"))[0]
        for n in range(first, first + count)
    ]
    channel_invite(actor=team.owner, channel=team.general, users=[app.bot_user for app in apps])
    forget_events()
    return apps


def queries_to_post(team, text: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        message_post(sender=team.member, channel=team.general, text=text)
    return len(queries)


def test_posting_costs_the_same_with_one_app_or_many(team):
    install(team, 1)
    with_one = queries_to_post(team, "one listener")
    install(team, 6, first=1)
    with_seven = queries_to_post(team, "seven listeners")

    assert with_one == with_seven
    assert AppEvent.objects.count() == 1
    assert len(fanned_out()) == 7


def test_an_event_is_fanned_out_once(team):
    install(team, 2)
    message_post(sender=team.member, channel=team.general, text="once")
    event_ids = list(AppEvent.objects.values_list("pk", flat=True))

    assert len(fan_out(event_ids, now=timezone.now())) == 2
    assert fan_out(event_ids, now=timezone.now()) == []
    assert EventDelivery.objects.count() == 2
    assert len(set(EventDelivery.objects.values_list("event_id", flat=True))) == 2


def test_a_mention_reaches_only_the_mentioned_bot_that_subscribes(team):
    mentioned, other = install(team, 2)
    message_post(sender=team.member, channel=team.general, text=f"<@{mentioned.bot_user.public_id}> look")

    heard = sorted((row.app_id, row.app_event.event_type) for row in fanned_out())
    assert heard == sorted([(mentioned.pk, "message"), (other.pk, "message"), (mentioned.pk, "app_mention")])


def test_the_sweep_finds_events_whose_dispatch_was_lost_and_old_ones_are_forgotten(team):
    install(team, 1)
    message_post(sender=team.member, channel=team.general, text="lost task")
    now = timezone.now()
    assert undispatched_event_ids(now=now) == []  # its task may still come
    (event,) = AppEvent.objects.all()
    assert undispatched_event_ids(now=now + timedelta(seconds=10)) == [event.pk]

    fanned_out()
    assert undispatched_event_ids(now=now + timedelta(seconds=10)) == []
    assert forget_old_events(now=now + timedelta(days=1)) == 0
    assert forget_old_events(now=now + timedelta(days=4)) == 1
    assert not AppEvent.objects.exists()
    assert not EventDelivery.objects.exists()
