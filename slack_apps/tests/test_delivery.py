"""Events API deliveries over HTTP: signed over the exact bytes, retried on Slack's schedule, switched off
when a URL keeps failing; request URLs verified before they are saved."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone
from slack_sdk.signature import SignatureVerifier

from chat.models import Message
from chat.services import channel_invite, message_post
from slack_apps import delivery
from slack_apps.delivery import DELIVERY_FAILURES_TO_DISABLE, deliver, due_delivery_ids
from slack_apps.dispatch import SWEEP_AFTER
from slack_apps.manifest import spec_from_options
from slack_apps.models import App, AppEvent, DeliveryState, EventDelivery
from slack_apps.services import app_create, app_set_enabled, app_set_urls
from slack_apps.tasks import deliver_due_events
from slack_apps.tests.support import echo_challenges, fanned_out, forget_events
from slackclone.celery import app as celery_app
from slackclone.testing.assertions import refused
from slackclone.testing.http_recorder import Answer, RecordingServer, recording_server
from slackclone.testing.processes import OwnRedis

pytestmark = pytest.mark.django_db


@pytest.fixture
def app_server() -> Iterator[RecordingServer]:
    with recording_server() as server:
        yield server


def listening_app(team, server: RecordingServer):
    app, credentials = app_create(actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Hooked"))
    server.respond = echo_challenges
    app_set_urls(actor=team.admin, app=app, request_url=f"{server.url}/slack/events")
    channel_invite(actor=team.owner, channel=team.general, users=[app.bot_user])
    forget_events()
    server.received.clear()
    return App.objects.get(pk=app.pk), credentials


def pending_delivery(team, text: str = "ship it") -> EventDelivery:
    """A message's delivery, due now: as the sweep finds it when its first sending was lost."""
    message_post(sender=team.member, channel=team.general, text=text)
    (row,) = fanned_out()
    return EventDelivery.objects.get(pk=row.pk)


def test_a_delivery_is_signed_over_the_exact_bytes_sent(team, app_server):
    _, credentials = listening_app(team, app_server)
    row = pending_delivery(team)

    assert deliver(row.pk) == DeliveryState.DELIVERED

    (received,) = app_server.received
    assert received.body == row.body.encode()
    verifier = SignatureVerifier(credentials.signing_secret)
    timestamp = received.headers["X-Slack-Request-Timestamp"]
    assert verifier.is_valid(received.body, timestamp, received.headers["X-Slack-Signature"])
    assert not SignatureVerifier("another-secret").is_valid(
        received.body, timestamp, received.headers["X-Slack-Signature"]
    )
    assert json.loads(received.body)["event"]["text"] == "ship it"
    assert EventDelivery.objects.get().state == DeliveryState.DELIVERED


def test_failures_are_retried_at_once_then_after_a_minute_then_after_five(team, app_server):
    listening_app(team, app_server)
    row = pending_delivery(team)
    app_server.answers = [Answer(500)]
    start = timezone.now()

    assert deliver(row.pk, now=start) == DeliveryState.PENDING
    assert deliver(row.pk, now=start + timedelta(seconds=59)) is None  # not due yet
    assert deliver(row.pk, now=start + timedelta(seconds=61)) == DeliveryState.PENDING
    assert deliver(row.pk, now=start + timedelta(minutes=5)) is None
    assert deliver(row.pk, now=start + timedelta(minutes=6, seconds=2)) == DeliveryState.FAILED

    retries = [(r.headers.get("X-Slack-Retry-Num"), r.headers.get("X-Slack-Retry-Reason")) for r in app_server.received]
    assert retries == [(None, None), ("1", "http_error"), ("2", "http_error"), ("3", "http_error")]
    assert {r.body for r in app_server.received} == {row.body.encode()}
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == (DeliveryState.FAILED, 4, "http_error")


def test_a_timeout_is_retried_with_its_reason(team, app_server, monkeypatch):
    listening_app(team, app_server)
    row = pending_delivery(team)
    monkeypatch.setattr(delivery, "TIMEOUT_SECONDS", 0.2)
    app_server.answers = [Answer(200, delay=0.5), Answer(200)]

    assert deliver(row.pk) == DeliveryState.DELIVERED
    assert app_server.received[1].headers["X-Slack-Retry-Reason"] == "http_timeout"


def test_no_retry_when_the_app_says_so(team, app_server):
    listening_app(team, app_server)
    row = pending_delivery(team)
    app_server.answers = [Answer(503, {"X-Slack-No-Retry": "1"})]

    assert deliver(row.pk) == DeliveryState.FAILED
    assert len(app_server.received) == 1


def test_a_disabled_app_is_sent_nothing(team, app_server):
    app, _ = listening_app(team, app_server)
    row = pending_delivery(team)
    app_set_enabled(actor=team.admin, app=app, enabled=False)

    assert deliver(row.pk) == DeliveryState.DROPPED
    assert app_server.received == []


def test_a_url_that_keeps_failing_is_switched_off_and_the_admins_are_told(team, app_server):
    app, _ = listening_app(team, app_server)
    app_server.answers = [Answer(200, {"X-Slack-No-Retry": "1"}), Answer(500, {"X-Slack-No-Retry": "1"})]
    assert deliver(pending_delivery(team, "one that works").pk) == DeliveryState.DELIVERED
    for index in range(DELIVERY_FAILURES_TO_DISABLE):
        assert deliver(pending_delivery(team, f"failing {index}").pk) == DeliveryState.FAILED

    app.refresh_from_db()
    assert app.request_url_disabled_at is not None
    notices = Message.objects.filter(author__email="slackbot@slackclone.invalid", text__contains=app.public_id)
    assert {m.channel.memberships.exclude(user=m.author).get().user for m in notices} == {team.owner, team.admin}

    assert deliver(pending_delivery(team, "after the switch-off").pk) == DeliveryState.DROPPED

    app_server.answers = [Answer(200)]
    app_set_urls(actor=team.admin, app=app, request_url=app.request_url)
    app.refresh_from_db()
    assert (app.request_url_disabled_at, app.delivery_failures) == (None, 0)


def test_the_sweep_finds_what_is_due_and_hands_socket_mode_deliveries_to_the_sockets(team, app_server):
    app, _ = listening_app(team, app_server)
    row = pending_delivery(team)
    in_an_hour = timezone.now() + timedelta(hours=1)
    later = EventDelivery.objects.create(app=app, app_event=row.app_event, next_attempt_at=in_an_hour)
    assert due_delivery_ids() == [row.pk]
    assert due_delivery_ids(now=in_an_hour) == [row.pk, later.pk]

    App.objects.filter(pk=app.pk).update(socket_mode=True)
    assert deliver(row.pk) == DeliveryState.PENDING  # announced to the app's sockets, which send it
    assert app_server.received == []


@pytest.mark.django_db(transaction=True)
def test_a_post_reaches_the_app_after_its_commit(team, app_server):
    listening_app(team, app_server)

    message_post(sender=team.member, channel=team.general, text="over the wire")

    (received,) = app_server.received
    assert json.loads(received.body)["event"]["text"] == "over the wire"
    assert EventDelivery.objects.get().state == DeliveryState.DELIVERED


# --- Request URLs are verified before they are saved -------------------------------------------------


def test_a_request_url_that_does_not_echo_the_challenge_is_not_saved(team, app_server):
    app, _ = app_create(actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Deaf"))
    app_server.answers = [Answer(200, {}, b"hello")]
    with refused("url_verification_failed") as caught:
        app_set_urls(actor=team.admin, app=app, request_url=f"{app_server.url}/events")
    assert "did not contain the challenge" in caught.value.message
    assert App.objects.get(pk=app.pk).request_url == ""
    verification = json.loads(app_server.received[0].body)
    assert verification["type"] == "url_verification"
    assert len(verification["challenge"]) > 20


def test_set_app_urls_verifies_and_fails_with_the_reason(team, app_server):
    app, _ = app_create(
        actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Cli", commands=["/go"])
    )
    app_server.respond = echo_challenges
    call_command(
        "set_app_urls",
        app.public_id,
        "--request-url",
        f"{app_server.url}/e",
        "--command-url",
        f"/go={app_server.url}/go",
    )
    app.refresh_from_db()
    assert app.request_url == f"{app_server.url}/e"
    assert app.commands.get().url == f"{app_server.url}/go"

    with pytest.raises(CommandError, match="url_verification_failed"):
        call_command("set_app_urls", app.public_id, "--request-url", "http://127.0.0.1:9/nobody")
    with pytest.raises(CommandError, match="app_not_found"):
        call_command("set_app_urls", "ANOPE", "--request-url", f"{app_server.url}/e")
    with pytest.raises(CommandError, match="invalid_arguments"):
        call_command("set_app_urls", app.public_id, "--command-url", f"/nope={app_server.url}/x")


def test_only_admins_of_the_app_workspace_set_its_urls(team, app_server, outsider):
    app, _ = app_create(actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Guarded"))
    for person, code in (
        (team.member, "restricted_action"),
        (team.guest, "restricted_action"),
        (outsider, "workspace_not_found"),
    ):
        with refused(code):
            app_set_urls(actor=person, app=app, request_url=f"{app_server.url}/e")
    assert app_server.received == []


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_change_committed_while_the_broker_is_down_is_delivered_by_the_sweep(team, app_server):
    """The outbox row commits with the message; the task that should send it never reaches the stopped
    broker, and the periodic sweep sends it later."""
    listening_app(team, app_server)
    broker = OwnRedis()
    broker.start()
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = broker.url
    try:
        broker.stop()
        message_post(sender=team.member, channel=team.general, text="while the broker is away")
        assert AppEvent.objects.get().dispatched_at is None
        assert app_server.received == []
    finally:
        celery_app.conf.task_always_eager = True
        celery_app.conf.broker_url = settings.CELERY_BROKER_URL
        broker.stop()
    deliver_due_events()
    assert app_server.received == []  # its task may still be on its way: the sweep waits SWEEP_AFTER

    AppEvent.objects.update(created_at=F("created_at") - SWEEP_AFTER)
    deliver_due_events()

    (received,) = app_server.received
    assert json.loads(received.body)["event"]["text"] == "while the broker is away"
    assert EventDelivery.objects.get().state == DeliveryState.DELIVERED
