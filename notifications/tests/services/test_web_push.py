"""Desktop notifications by Web Push, end to end on loopback: the notification job queues the push, the task
encrypts it to the device's keys and POSTs it with a VAPID signature, and the test's push service decrypts
what it received as the browser would. Nothing is pushed for a message read meanwhile on another device."""

from __future__ import annotations

import logging
from datetime import time

import pytest
from py_vapid import Vapid02

from accounts.models import User
from chat.services import channel_mark_read, dm_open, message_post
from notifications.models import PushSubscription
from notifications.services import notify_message_posted, push_deliver, push_subscribe
from notifications.tests.conftest import NOON
from notifications.tests.push_service import BrowserKeys
from notifications.webpush import vapid_public_key

pytestmark = pytest.mark.django_db


def subscribe(person, push_service, path="/push/device-1", keys=None):
    keys = keys or BrowserKeys()
    push_subscribe(
        actor=person, endpoint=push_service.url(path), p256dh=keys.p256dh, auth=keys.auth, device="Test browser"
    )
    return keys


def run_job(message, django_capture_on_commit_callbacks):
    """The notification job as the task runs it, and the push task it queues (Celery is eager in tests)."""
    with django_capture_on_commit_callbacks(execute=True):
        return notify_message_posted(message_id=message.pk, now=NOON)


def test_a_dm_is_pushed_encrypted_and_signed_to_the_recipients_device(
    team, push_service, django_capture_on_commit_callbacks
):
    keys = subscribe(team.owner, push_service)
    dm, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.owner])
    message = message_post(sender=team.member, channel=dm, text=f"are you there? <@{team.owner.public_id}>")

    outcome = run_job(message, django_capture_on_commit_callbacks)

    assert outcome.web_push == 1
    [push] = push_service.received
    assert push.path == "/push/device-1"
    assert push.headers["content-encoding"] == "aes128gcm"
    assert int(push.headers["ttl"]) > 0
    assert Vapid02.verify(push.headers["authorization"]), "signed with the server's VAPID key"
    assert push.headers["authorization"].endswith(f",k={vapid_public_key()}")
    assert b"are you there" not in push.body, "the payload travels encrypted"
    payload = keys.decrypt(push.body)
    assert payload == {
        "title": team.member.name,
        "body": f"are you there? @{team.owner.name}",
        "url": f"/{team.workspace.slug}/archives/{dm.public_id}/p{message.ts.replace('.', '')}",
        "tag": f"{dm.public_id}:{message.ts}",
        "workspace": team.workspace.public_id,
        "channel": dm.public_id,
        "ts": message.ts,
        "reason": "mention",
    }
    assert PushSubscription.objects.get(user=team.owner).last_success_at is not None


def test_nothing_is_pushed_for_a_message_read_on_another_device_before_the_push_went(
    team, push_service, django_capture_on_commit_callbacks
):
    subscribe(team.owner, push_service)
    dm, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.owner])
    message = message_post(sender=team.member, channel=dm, text="read me elsewhere")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert notify_message_posted(message_id=message.pk, now=NOON).web_push == 1

    channel_mark_read(actor=team.owner, channel=dm, seq=message.seq)  # an open tab reads it meanwhile
    for callback in queued:
        callback()

    assert push_service.received == []
    assert push_deliver(message_id=message.pk, user_ids=[team.owner.pk]).already_read == 1


def test_mentions_and_thread_replies_are_pushed_channel_traffic_and_broadcasts_are_not(
    team, push_service, django_capture_on_commit_callbacks
):
    keys = subscribe(team.owner, push_service)
    team.general.memberships.filter(user=team.owner).update(notify_level="all")
    root = message_post(sender=team.owner, channel=team.general, text="plans?")
    for text in ("just chatting", "<!channel> lunch"):
        run_job(message_post(sender=team.member, channel=team.general, text=text), django_capture_on_commit_callbacks)
    assert push_service.received == [], "every message and @channel reach the inbox, not the desktop"

    reply = message_post(sender=team.member, channel=team.general, text="in the thread", thread_ts=root.ts)
    run_job(reply, django_capture_on_commit_callbacks)
    mention = message_post(sender=team.member, channel=team.general, text=f"<@{team.owner.public_id}> look")
    run_job(mention, django_capture_on_commit_callbacks)

    payloads = [keys.decrypt(push.body) for push in push_service.received]
    assert [(p["reason"], p["title"]) for p in payloads] == [
        ("thread", f"{team.member.name} in #general"),
        ("mention", f"{team.member.name} in #general"),
    ]
    assert payloads[0]["url"].endswith(f"?thread_ts={root.ts}&cid={team.general.public_id}")


def test_a_device_switched_off_and_do_not_disturb_hours_push_nothing(
    team, push_service, django_capture_on_commit_callbacks
):
    subscribe(team.owner, push_service)
    PushSubscription.objects.filter(user=team.owner).update(enabled=False)
    dm, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.owner])
    assert (
        run_job(message_post(sender=team.member, channel=dm, text="one"), django_capture_on_commit_callbacks).web_push
        == 0
    )

    PushSubscription.objects.filter(user=team.owner).update(enabled=True)
    User.objects.filter(pk=team.owner.pk).update(timezone="UTC", dnd_start=time(11, 0), dnd_end=time(13, 0))
    assert (
        run_job(message_post(sender=team.member, channel=dm, text="two"), django_capture_on_commit_callbacks).web_push
        == 0
    )
    assert push_service.received == []


def test_a_forgotten_subscription_is_deleted_and_a_failing_one_counted_and_logged_once(
    team, push_service, caplog, django_capture_on_commit_callbacks
):
    subscribe(team.owner, push_service, "/gone")
    subscribe(team.owner, push_service, "/broken")
    push_service.answers.update({"/gone": 410, "/broken": 500})
    dm, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.owner])

    with caplog.at_level(logging.WARNING, logger="notifications.services.push_delivery"):
        for text in ("first", "second"):
            message = message_post(sender=team.member, channel=dm, text=text)
            run_job(message, django_capture_on_commit_callbacks)

    assert [row.endpoint.rsplit("/", 1)[1] for row in PushSubscription.objects.filter(user=team.owner)] == ["broken"]
    broken = PushSubscription.objects.get(user=team.owner)
    assert (broken.failure_count, broken.last_failure) == (2, "http_500")
    assert len([r for r in caplog.records if "failed" in r.getMessage()]) == 1
    assert "/broken" not in caplog.text, "an endpoint's path is never logged"
