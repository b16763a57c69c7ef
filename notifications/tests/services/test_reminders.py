"""Reminders: times read in the person's time zone, and delivery as one Slackbot DM, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import User
from chat.models import ChannelKind, ChannelMember, Message
from chat.services import channel_create, channel_invite, channel_kick, channel_leave, message_post
from notifications.models import DeliveryState, Notification, NotificationReason, Reminder
from notifications.reminder_times import parse_when
from notifications.selectors import reminders
from notifications.services import (
    deliveries_run_due,
    notify_message_posted,
    reminder_cancel,
    reminder_create,
    reminder_deliver,
)
from notifications.services.reminders import SLACKBOT_EMAIL
from notifications.tests.conftest import NOON
from slackclone.errors import DomainError, ErrorCode
from slackclone.testing.assertions import refused
from workspaces.models import Membership, Role

pytestmark = pytest.mark.django_db

# --- Reading times ------------------------------------------------------------------------------

TOKYO = "Asia/Tokyo"  # UTC+9, no daylight saving: NOON UTC is 21:00 there


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in 20 minutes", NOON + timedelta(minutes=20)),
        ("in 1 hour", NOON + timedelta(hours=1)),
        ("in an hour", NOON + timedelta(hours=1)),
        ("in 3 days", NOON + timedelta(days=3)),
        ("In 2  Hours", NOON + timedelta(hours=2)),
        ("at 9:00 tomorrow", datetime(2031, 5, 15, 0, 0, tzinfo=UTC)),
        ("tomorrow at 9am", datetime(2031, 5, 15, 0, 0, tzinfo=UTC)),
        ("tomorrow", datetime(2031, 5, 15, 0, 0, tzinfo=UTC)),
        ("at 22:30", datetime(2031, 5, 14, 13, 30, tzinfo=UTC)),  # later today in Tokyo
        ("at 8:15 pm", datetime(2031, 5, 15, 11, 15, tzinfo=UTC)),  # passed today, so tomorrow
        ("2031-06-01 09:00", datetime(2031, 6, 1, 0, 0, tzinfo=UTC)),
    ],
)
def test_times_are_read_in_the_persons_time_zone(text, expected):
    assert parse_when(text, timezone_name=TOKYO, now=NOON) == expected


@pytest.mark.parametrize("text", ["", "soon", "at 25:00", "at 13pm", "in -5 minutes", "2031-02-30 09:00"])
def test_times_it_cannot_read_are_refused_with_a_hint(text):
    with pytest.raises(DomainError) as caught:
        parse_when(text, timezone_name="UTC", now=NOON)
    assert caught.value.code == ErrorCode.INVALID_TIME
    assert "in 20 minutes" in caught.value.message


# --- Creating and delivering -----------------------------------------------------------------------


def test_a_reminder_is_delivered_once_as_a_dm_from_slackbot_that_notifies(team):
    reminder = reminder_create(
        actor=team.member, workspace=team.workspace, text="call the bank", when="in 20 minutes", now=NOON
    )
    due = NOON + timedelta(minutes=20)

    assert reminder_deliver(reminder_id=reminder.pk, now=due - timedelta(seconds=1)) is None
    delivered = reminder_deliver(reminder_id=reminder.pk, now=due)
    assert reminder_deliver(reminder_id=reminder.pk, now=due) is None

    (message,) = Message.objects.all()
    assert message.author.email == SLACKBOT_EMAIL
    assert message.author.is_bot
    assert message.channel.kind == ChannelKind.DM
    assert set(ChannelMember.objects.filter(channel=message.channel).values_list("user", flat=True)) == {
        team.member.pk,
        message.author.pk,
    }
    assert message.text == "Reminder: call the bank"
    assert (delivered.state, delivered.delivered_message) == (DeliveryState.SENT, message)
    notify_message_posted(message_id=message.pk, now=due)
    assert Notification.objects.get(message=message).reason == NotificationReason.DM


def test_slackbot_joins_the_workspace_as_a_guest_and_no_channel(team):
    reminder = reminder_create(actor=team.member, workspace=team.workspace, text="x", when="in 1 minute", now=NOON)
    reminder_deliver(reminder_id=reminder.pk, now=NOON + timedelta(minutes=1))

    bot = User.objects.get(email=SLACKBOT_EMAIL)
    assert Membership.objects.get(user=bot, workspace=team.workspace).role == Role.GUEST
    assert not ChannelMember.objects.filter(user=bot, channel__kind=ChannelKind.PUBLIC).exists()


def test_a_reminder_about_a_message_quotes_it(team):
    message = message_post(sender=team.owner, channel=team.general, text="Quarterly numbers are due Friday")
    reminder = reminder_create(
        actor=team.member, workspace=team.workspace, message=message, when="in 2 hours", now=NOON
    )

    reminder_deliver(reminder_id=reminder.pk, now=NOON + timedelta(hours=2))

    text = Message.objects.get(client_msg_id=reminder.client_msg_id).text
    assert f"<@{team.owner.public_id}>" in text
    assert f"<#{team.general.public_id}>" in text
    assert "> Quarterly numbers are due Friday" in text


def test_a_message_the_person_can_no_longer_see_is_not_quoted(team):
    private = channel_create(actor=team.owner, workspace=team.workspace, name="plans", is_private=True)
    channel_invite(actor=team.owner, channel=private, users=[team.member])
    message = message_post(sender=team.owner, channel=private, text="secret plans")
    reminder = reminder_create(actor=team.member, workspace=team.workspace, message=message, when="in 1 hour", now=NOON)
    channel_leave(actor=team.member, channel=private)

    reminder_deliver(reminder_id=reminder.pk, now=NOON + timedelta(hours=1))

    assert (
        Message.objects.get(client_msg_id=reminder.client_msg_id).text == "Reminder: a message you can no longer see."
    )


def test_a_guest_removed_from_a_public_channel_is_not_quoted_its_messages(team):
    channel_invite(actor=team.owner, channel=team.random, users=[team.guest])
    message = message_post(sender=team.owner, channel=team.random, text="salaries attached")
    reminder = reminder_create(actor=team.guest, workspace=team.workspace, message=message, when="in 1 hour", now=NOON)
    channel_kick(actor=team.owner, channel=team.random, user=team.guest)

    reminder_deliver(reminder_id=reminder.pk, now=NOON + timedelta(hours=1))

    text = Message.objects.get(client_msg_id=reminder.client_msg_id).text
    assert "salaries" not in text
    assert team.random.public_id not in text


def test_a_cancelled_reminder_never_fires(team):
    reminder = reminder_create(actor=team.member, workspace=team.workspace, text="x", when="in 5 minutes", now=NOON)

    reminder_cancel(actor=team.member, reminder=reminder)

    assert deliveries_run_due(now=NOON + timedelta(hours=1)).reminders_delivered == 0
    assert list(reminders(user=team.member, workspace=team.workspace)) == []
    with refused(ErrorCode.REMINDER_NOT_FOUND):
        reminder_cancel(actor=team.member, reminder=reminder)


def test_reminders_of_others_cannot_be_cancelled(team):
    reminder = reminder_create(actor=team.member, workspace=team.workspace, text="x", when="in 5 minutes", now=NOON)

    with refused(ErrorCode.REMINDER_NOT_FOUND):
        reminder_cancel(actor=team.owner, reminder=reminder)


def test_a_reminder_needs_something_to_remind_and_a_time(team):
    with refused(ErrorCode.NO_TEXT):
        reminder_create(actor=team.member, workspace=team.workspace, text=" ", when="in 5 minutes", now=NOON)
    with refused(ErrorCode.INVALID_ARGUMENTS):
        reminder_create(actor=team.member, workspace=team.workspace, text="x", now=NOON)
    with refused(ErrorCode.TIME_IN_PAST):
        reminder_create(actor=team.member, workspace=team.workspace, text="x", remind_at=NOON, now=NOON)
    assert not Reminder.objects.exists()


def test_a_reminder_about_a_message_in_a_private_channel_needs_access(team):
    private = channel_create(actor=team.owner, workspace=team.workspace, name="board", is_private=True)
    message = message_post(sender=team.owner, channel=private, text="confidential")

    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        reminder_create(actor=team.member, workspace=team.workspace, message=message, when="in 1 hour", now=NOON)
