"""Scheduled messages: create, list, edit and cancel while pending; delivered once, on time, through message_post."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chat.models import ChannelMember, Message
from chat.services import channel_archive, message_post
from notifications.models import DeliveryState, Notification, ScheduledMessage
from notifications.selectors import scheduled_messages
from notifications.services import (
    deliveries_run_due,
    notify_message_posted,
    scheduled_message_cancel,
    scheduled_message_create,
    scheduled_message_deliver,
    scheduled_message_edit,
)
from notifications.tests.conftest import NOON
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused

pytestmark = pytest.mark.django_db

LATER = NOON + timedelta(hours=2)


def schedule(team, text="good morning", at=LATER, **kwargs) -> ScheduledMessage:
    return scheduled_message_create(actor=team.member, channel=team.general, text=text, post_at=at, now=NOON, **kwargs)


def test_a_scheduled_message_is_listed_until_it_is_posted(team):
    later = schedule(team, "second", at=LATER + timedelta(minutes=5))
    sooner = schedule(team, "first")

    assert list(scheduled_messages(user=team.member, workspace=team.workspace)) == [sooner, later]
    assert list(scheduled_messages(user=team.owner, workspace=team.workspace)) == []
    assert not Message.objects.filter(channel=team.general).exists()


def test_it_is_posted_once_at_its_time_as_its_author(team):
    scheduled = schedule(team, f"<@{team.owner.public_id}> standup notes")

    assert scheduled_message_deliver(scheduled_id=scheduled.pk, now=LATER - timedelta(seconds=1)) is None
    delivered = scheduled_message_deliver(scheduled_id=scheduled.pk, now=LATER)
    assert scheduled_message_deliver(scheduled_id=scheduled.pk, now=LATER) is None

    (message,) = Message.objects.filter(channel=team.general)
    assert (message.author, message.text) == (team.member, f"<@{team.owner.public_id}> standup notes")
    assert message.client_msg_id == f"scheduled-{scheduled.public_id}"
    assert (delivered.state, delivered.message, delivered.sent_at) == (DeliveryState.SENT, message, LATER)
    # It is an ordinary message: it notifies like one.
    notify_message_posted(message_id=message.pk, now=LATER)
    assert Notification.objects.get(message=message).user == team.owner


def test_a_thread_reply_can_be_scheduled(team):
    root = message_post(sender=team.owner, channel=team.general, text="thread")
    scheduled = schedule(team, "later reply", thread_ts=root.ts)

    scheduled_message_deliver(scheduled_id=scheduled.pk, now=LATER)

    assert Message.objects.get(client_msg_id=scheduled.client_msg_id).thread_root == root


def test_the_sweep_delivers_everything_due_and_nothing_early(team):
    due = [schedule(team, f"due {n}", at=NOON + timedelta(minutes=n + 1)) for n in range(3)]
    schedule(team, "not yet", at=NOON + timedelta(hours=5))

    outcome = deliveries_run_due(now=NOON + timedelta(minutes=10))

    assert outcome.scheduled_delivered == 3
    assert sorted(Message.objects.values_list("text", flat=True)) == ["due 0", "due 1", "due 2"]
    assert {s.state for s in ScheduledMessage.objects.filter(pk__in=[d.pk for d in due])} == {DeliveryState.SENT}
    assert deliveries_run_due(now=NOON + timedelta(minutes=10)).scheduled_delivered == 0


def test_editing_changes_text_and_time_before_it_is_posted(team):
    scheduled = schedule(team)

    scheduled_message_edit(
        actor=team.member, scheduled=scheduled, text="edited", post_at=LATER + timedelta(hours=1), now=NOON
    )

    assert scheduled_message_deliver(scheduled_id=scheduled.pk, now=LATER) is None
    scheduled_message_deliver(scheduled_id=scheduled.pk, now=LATER + timedelta(hours=1))
    assert Message.objects.get(channel=team.general).text == "edited"


def test_a_cancelled_message_is_never_posted(team):
    scheduled = schedule(team)

    scheduled_message_cancel(actor=team.member, scheduled=scheduled)

    assert scheduled_message_deliver(scheduled_id=scheduled.pk, now=LATER) is None
    assert not Message.objects.exists()
    assert list(scheduled_messages(user=team.member, workspace=team.workspace)) == []


def test_a_posted_or_cancelled_message_can_no_longer_be_edited_or_cancelled(team):
    posted, cancelled = schedule(team, "a"), schedule(team, "b")
    scheduled_message_deliver(scheduled_id=posted.pk, now=LATER)
    scheduled_message_cancel(actor=team.member, scheduled=cancelled)

    for row in (posted, cancelled):
        with refused(ErrorCode.SCHEDULED_MESSAGE_NOT_FOUND):
            scheduled_message_edit(actor=team.member, scheduled=row, text="too late", now=NOON)
        with refused(ErrorCode.SCHEDULED_MESSAGE_NOT_FOUND):
            scheduled_message_cancel(actor=team.member, scheduled=row)


def test_only_the_author_can_edit_or_cancel(team):
    scheduled = schedule(team)

    with refused(ErrorCode.SCHEDULED_MESSAGE_NOT_FOUND):
        scheduled_message_cancel(actor=team.owner, scheduled=scheduled)


@pytest.mark.parametrize(
    ("at", "code"),
    [
        (NOON, ErrorCode.TIME_IN_PAST),
        (NOON - timedelta(minutes=1), ErrorCode.TIME_IN_PAST),
        (NOON + timedelta(days=121), ErrorCode.TIME_TOO_FAR),
    ],
)
def test_times_in_the_past_or_too_far_ahead_are_refused(team, at, code):
    with refused(code):
        schedule(team, at=at)
    assert not ScheduledMessage.objects.exists()


def test_only_members_can_schedule_in_a_channel(team):
    with refused(ErrorCode.NOT_IN_CHANNEL):
        scheduled_message_create(actor=team.member, channel=team.random, text="hi", post_at=LATER, now=NOON)


def test_posting_that_fails_at_its_time_is_recorded_not_retried(team):
    scheduled = schedule(team)
    ChannelMember.objects.filter(channel=team.general, user=team.member).delete()

    failed = scheduled_message_deliver(scheduled_id=scheduled.pk, now=LATER)

    assert (failed.state, failed.error_code) == (DeliveryState.FAILED, "not_in_channel")
    assert scheduled_message_deliver(scheduled_id=scheduled.pk, now=LATER) is None
    assert not Message.objects.exists()


def test_an_archived_channel_fails_the_delivery(team):
    channel = team.random
    ChannelMember.objects.create(channel=channel, user=team.member)
    scheduled = scheduled_message_create(actor=team.member, channel=channel, text="x", post_at=LATER, now=NOON)
    channel_archive(actor=team.owner, channel=channel)

    assert scheduled_message_deliver(scheduled_id=scheduled.pk, now=LATER).error_code == "is_archived"
