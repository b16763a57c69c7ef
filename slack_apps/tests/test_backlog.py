"""The Events API outbox's backlog, as the metrics report it: undispatched rows and the oldest one's age."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from slack_apps.models import AppEvent
from slack_apps.selectors import app_event_backlog

pytestmark = pytest.mark.django_db


def add_event(team, *, created_at, dispatched_at=None) -> AppEvent:
    return AppEvent.objects.create(
        workspace=team.workspace,
        subscription="message.channels",
        event_type="message",
        event="{}",
        event_time=0,
        created_at=created_at,
        dispatched_at=dispatched_at,
    )


def test_an_empty_outbox_has_no_backlog(team):
    assert app_event_backlog() == (0, 0.0)


def test_the_backlog_counts_undispatched_rows_and_ages_the_oldest(team):
    now = timezone.now()
    add_event(team, created_at=now - timedelta(seconds=90))
    add_event(team, created_at=now - timedelta(seconds=30))
    add_event(team, created_at=now - timedelta(hours=1), dispatched_at=now - timedelta(minutes=59))
    assert app_event_backlog(now=now) == (2, 90.0)
