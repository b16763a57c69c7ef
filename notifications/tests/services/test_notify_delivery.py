"""notify_message_posted: how recipients hear of it. Online: a real-time `notification` event (silent during
do-not-disturb hours). Away: a missed-message email batch, due after the delay or when do-not-disturb ends."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from accounts.models import User
from chat.services import dm_open, message_post
from notifications.models import EmailState, MissedMessageEmail, Notification
from notifications.services import notify_message_posted
from notifications.tests.conftest import NOON
from realtime import transport

pytestmark = pytest.mark.django_db


def run_job(message, django_capture_on_commit_callbacks, now=NOON):
    with django_capture_on_commit_callbacks(execute=True):
        return notify_message_posted(message_id=message.pk, now=now)


def test_online_recipient_gets_a_notification_event_on_their_own_sockets(
    team, online, layer_listener, django_capture_on_commit_callbacks
):
    online(team.owner)
    listener = layer_listener(transport.user_group(team.owner))
    dm, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.owner])
    message = message_post(sender=team.member, channel=dm, text="are you there?")

    outcome = run_job(message, django_capture_on_commit_callbacks)

    assert outcome.pushed == 1
    event = listener.receive_event()
    assert event == {
        "type": "notification",
        "reason": "dm",
        "workspace": team.workspace.public_id,
        "channel": dm.public_id,
        "ts": message.ts,
        "seq": message.seq,
        "user": team.member.public_id,
        "text": "are you there?",
        "alert": True,
    }
    assert not MissedMessageEmail.objects.filter(user=team.owner).exists()


def test_a_rerun_sends_no_second_event(team, online, layer_listener, django_capture_on_commit_callbacks):
    online(team.owner)
    listener = layer_listener(transport.user_group(team.owner))
    message = message_post(sender=team.member, channel=team.general, text=f"<@{team.owner.public_id}> hi")

    run_job(message, django_capture_on_commit_callbacks)
    again = run_job(message, django_capture_on_commit_callbacks)

    assert listener.receive_event()["ts"] == message.ts
    assert again.pushed == 0
    assert listener.drain() == []


def test_away_recipient_gets_no_event_but_an_email_batch_due_after_the_delay(
    team, settings, layer_listener, django_capture_on_commit_callbacks
):
    settings.NOTIFY_EMAIL_DELAY_SECONDS = 120
    listener = layer_listener(transport.user_group(team.owner))
    message = message_post(sender=team.member, channel=team.general, text=f"<@{team.owner.public_id}> when back")

    outcome = run_job(message, django_capture_on_commit_callbacks)

    assert outcome.pushed == 0
    assert listener.drain() == []
    batch = MissedMessageEmail.objects.get(user=team.owner)
    assert (batch.state, batch.due_at) == (EmailState.PENDING, NOON + timedelta(seconds=120))
    assert Notification.objects.get(user=team.owner).email_wanted


def test_later_notifications_join_the_pending_batch(team, django_capture_on_commit_callbacks):
    first = message_post(sender=team.member, channel=team.general, text=f"<@{team.owner.public_id}> one")
    second = message_post(sender=team.admin, channel=team.general, text=f"<@{team.owner.public_id}> two")

    run_job(first, django_capture_on_commit_callbacks)
    run_job(second, django_capture_on_commit_callbacks, now=NOON + timedelta(seconds=30))

    batch = MissedMessageEmail.objects.get(user=team.owner)
    assert batch.due_at == NOON + timedelta(seconds=120)


def test_no_email_batch_for_people_who_turned_email_off(team, django_capture_on_commit_callbacks):
    User.objects.filter(pk=team.owner.pk).update(email_notifications=False)
    message = message_post(sender=team.member, channel=team.general, text=f"<@{team.owner.public_id}> hi")

    run_job(message, django_capture_on_commit_callbacks)

    assert not Notification.objects.get(user=team.owner).email_wanted
    assert not MissedMessageEmail.objects.exists()


def test_channel_level_notifications_are_not_emailed(team, django_capture_on_commit_callbacks):
    team.general.memberships.filter(user=team.owner).update(notify_level="all")
    message = message_post(sender=team.member, channel=team.general, text="just chatting")

    run_job(message, django_capture_on_commit_callbacks)

    assert Notification.objects.get(user=team.owner).reason == "channel"
    assert not MissedMessageEmail.objects.exists()


def test_during_dnd_the_event_is_silent_and_the_email_waits_for_the_end_of_dnd(
    team, online, layer_listener, django_capture_on_commit_callbacks
):
    # Paris is UTC+2 in May: NOON UTC is 14:00 there, inside a 13:00-15:00 quiet window ending 13:00 UTC.
    User.objects.filter(pk__in=[team.owner.pk, team.admin.pk]).update(
        timezone="Europe/Paris", dnd_start=time(13, 0), dnd_end=time(15, 0)
    )
    online(team.owner)
    listener = layer_listener(transport.user_group(team.owner))
    message = message_post(sender=team.member, channel=team.general, text="<!channel> heads up")

    run_job(message, django_capture_on_commit_callbacks)

    assert listener.receive_event()["alert"] is False
    away_batch = MissedMessageEmail.objects.get(user=team.admin)
    assert away_batch.due_at == NOON + timedelta(hours=1)
    assert Notification.objects.filter(message=message).count() == 3  # the inbox still has it


def test_a_dnd_window_past_midnight_defers_to_the_next_morning(team, django_capture_on_commit_callbacks):
    User.objects.filter(pk=team.owner.pk).update(timezone="UTC", dnd_start=time(22, 0), dnd_end=time(7, 0))
    late = NOON.replace(hour=23, minute=30)
    message = message_post(sender=team.member, channel=team.general, text=f"<@{team.owner.public_id}> late one")

    run_job(message, django_capture_on_commit_callbacks, now=late)

    assert MissedMessageEmail.objects.get(user=team.owner).due_at == (late + timedelta(days=1)).replace(
        hour=7, minute=0
    )
