"""An edit that adds a mention notifies the person it adds, once; nobody else hears of the edit."""

from __future__ import annotations

import pytest

from chat.services import message_edit, message_post
from notifications.models import Notification
from outbox.models import OutboxJob
from realtime import transport

pytestmark = pytest.mark.django_db


def test_an_edit_that_adds_a_mention_notifies_only_the_person_it_adds(
    team, online, layer_listener, django_capture_on_commit_callbacks
):
    online(team.admin)
    listener = layer_listener(transport.user_group(team.admin))
    with django_capture_on_commit_callbacks(execute=True):
        message = message_post(sender=team.member, channel=team.general, text=f"<@{team.owner.public_id}> ship it")
    with django_capture_on_commit_callbacks(execute=True):
        message_edit(
            actor=team.member,
            message=message,
            text=f"<@{team.owner.public_id}> <@{team.admin.public_id}> ship it",
        )

    people = sorted(Notification.objects.filter(message=message).values_list("user_id", flat=True))
    assert people == sorted([team.owner.pk, team.admin.pk])  # the owner once, from the post
    event = listener.receive_event()
    assert (event["type"], event["reason"], event["ts"]) == ("notification", "mention", message.ts)
    job = OutboxJob.objects.get(name="notifications.notify_mentioned_by_edit")
    assert job.args == [message.pk, [team.admin.pk]]


def test_an_edit_that_mentions_no_one_new_queues_nothing(team, django_capture_on_commit_callbacks):
    message = message_post(sender=team.member, channel=team.general, text=f"<@{team.owner.public_id}> hi")
    with django_capture_on_commit_callbacks(execute=True):
        message_edit(
            actor=team.member, message=message, text=f"<@{team.owner.public_id}> hello <@{team.member.public_id}>"
        )

    assert not OutboxJob.objects.filter(name="notifications.notify_mentioned_by_edit").exists()


def test_a_person_an_edit_mentions_who_cannot_see_the_channel_is_not_notified(
    team, outsider, django_capture_on_commit_callbacks
):
    message = message_post(sender=team.member, channel=team.general, text="hi")
    with django_capture_on_commit_callbacks(execute=True):
        message_edit(actor=team.member, message=message, text=f"hi <@{outsider.public_id}>")

    assert not Notification.objects.filter(user=outsider).exists()
