"""Socket Mode: apps.connections.open, and an unmodified Bolt for Python app on its SocketModeHandler
against a real server process, answering a message and a mention through the Web API."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from pathlib import Path

import pytest
import websocket
from slack_bolt import App as BoltApp
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient

from chat.models import Message
from chat.services import message_post
from integrations.tokens import api_token_create
from realtime.tests.test_e2e import Server
from slack_apps import socket_mode
from slack_apps.manifest import spec_from_options
from slack_apps.models import AppEvent, DeliveryState, EventDelivery
from slack_apps.services import app_create, app_rotate
from slack_apps.tests.support import api_url, wait_until
from slackclone.testing.processes import stop as stop_process
from slackclone.tests.subprocess_env import BASE_DIR


def open_connection(client, app_token: str | None, **headers) -> dict:
    if app_token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {app_token}"
    return client.post("/api/apps.connections.open", **headers).json()


@pytest.mark.django_db
def test_connections_open_takes_only_an_app_level_token_in_the_header(client, team):
    app, credentials = app_create(
        actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Sock", socket_mode=True)
    )
    opened = open_connection(client, credentials.app_token)
    assert opened["ok"] is True
    assert opened["url"].startswith("ws://testserver/apps/socket-mode/?ticket=")
    assert opened["url"].endswith(f"&app_id={app.public_id}")
    assert open_connection(client, credentials.bot_token) == {"ok": False, "error": "not_allowed_token_type"}
    assert open_connection(client, None) == {"ok": False, "error": "not_authed"}
    assert open_connection(client, "xapp-1-AMADEUP-0") == {"ok": False, "error": "invalid_auth"}
    body = client.post("/api/apps.connections.open", {"token": credentials.app_token}).json()
    assert body == {"ok": False, "error": "not_allowed_token_type"}


@pytest.mark.django_db
def test_an_app_without_socket_mode_gets_no_connection(client, team):
    _, credentials = app_create(actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Http"))
    assert open_connection(client, credentials.app_token) == {"ok": False, "error": "socket_mode_not_enabled"}


def bot_said(bot, text: str) -> bool:
    return Message.objects.filter(author=bot, text=text).exists()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_bolt_app_in_socket_mode_answers_a_message_and_a_mention(team, server):
    app, credentials = app_create(
        actor=team.admin,
        workspace=team.workspace,
        spec=spec_from_options(name="Pinger", socket_mode=True, commands=["/standup"]),
    )
    bolt = BoltApp(client=WebClient(token=credentials.bot_token, base_url=api_url(server)))

    @bolt.message("ping")
    def pong(message, say):
        say(f"pong to <@{message['user']}>")

    @bolt.event("app_mention")
    def mentioned(event, say):
        say(text="at your service", thread_ts=event["ts"])

    # Bolt acks only what a listener takes; an envelope none takes (the mention's own message event) is
    # left unacked and retried until it fails, as Slack does. Registered after "ping", which keeps its own.
    @bolt.event("message")
    def any_other_message():
        pass

    @bolt.command("/standup")
    def standup(ack, respond, command):
        ack()
        respond(response_type="in_channel", text=f"stand-up: {command['text']}")

    handler = SocketModeHandler(bolt, credentials.app_token)
    handler.connect()
    try:
        assert wait_until(lambda: handler.client.is_connected())
        message_post(sender=team.member, channel=team.general, text="ping")
        assert wait_until(lambda: bot_said(app.bot_user, f"pong to <@{team.member.public_id}>"))

        asked = message_post(sender=team.member, channel=team.general, text=f"<@{app.bot_user.public_id}> hello")
        assert wait_until(lambda: bot_said(app.bot_user, "at your service"))
        answer = Message.objects.get(author=app.bot_user, text="at your service")
        assert answer.thread_root_id == asked.pk

        person = WebClient(
            token=api_token_create(actor=None, user=team.member, workspace=team.workspace)[1], base_url=api_url(server)
        )
        ran = person.api_call(
            "chat.command", params={"channel": team.general.public_id, "command": "/standup", "text": "in 5"}
        )
        assert ran["ok"] is True
        assert wait_until(lambda: bot_said(app.bot_user, "stand-up: in 5"))
        assert wait_until(lambda: not EventDelivery.objects.filter(app=app, state=DeliveryState.PENDING).exists()), (
            "every envelope is acked"
        )
        assert set(EventDelivery.objects.filter(app=app).values_list("state", flat=True)) == {DeliveryState.DELIVERED}
    finally:
        handler.close()


def socket_mode_socket(server: Server, client_app_token: str) -> websocket.WebSocket:
    opened = WebClient(base_url=api_url(server)).apps_connections_open(app_token=client_app_token)
    url = opened["url"].replace("testserver", f"127.0.0.1:{server.port}")
    return websocket.create_connection(url, timeout=10)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_an_envelope_not_acked_is_sent_again_and_rotation_says_disconnect(team, server):
    app, credentials = app_create(
        actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Slow", socket_mode=True)
    )
    socket = socket_mode_socket(server, credentials.app_token)
    try:
        hello = json.loads(socket.recv())
        assert (hello["type"], hello["connection_info"]) == ("hello", {"app_id": app.public_id})

        message_post(sender=team.member, channel=team.general, text="are you there?")
        first = json.loads(socket.recv())
        assert (first["type"], first["retry_attempt"], first["retry_reason"]) == ("events_api", 0, "")
        assert first["payload"]["event"]["text"] == "are you there?"
        again = json.loads(socket.recv())  # not acked within 3 seconds
        assert (again["payload"]["event_id"], again["retry_attempt"], again["retry_reason"]) == (
            first["payload"]["event_id"],
            1,
            "timeout",
        )
        socket.send(json.dumps({"envelope_id": again["envelope_id"]}))
        socket.send(json.dumps({"envelope_id": "not-one-we-sent"}))
        assert wait_until(lambda: EventDelivery.objects.get(app=app).state == DeliveryState.DELIVERED)

        app_rotate(actor=team.admin, app=app, secret="app_token")
        assert json.loads(socket.recv())["type"] == "disconnect"
    finally:
        socket.close()


NODE_BOLT_APP = Path(__file__).parent / "bolt_apps" / "socket_app.mjs"


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_bolt_for_javascript_app_in_socket_mode_answers_a_message_a_mention_and_a_command(team, server, tmp_path):
    app, credentials = app_create(
        actor=team.admin,
        workspace=team.workspace,
        spec=spec_from_options(name="Node Pinger", socket_mode=True, commands=["/standup"]),
    )
    env = {
        **os.environ,
        "SLACK_API_URL": api_url(server),
        "BOT_TOKEN": credentials.bot_token,
        "APP_TOKEN": credentials.app_token,
    }
    log = (tmp_path / "bolt-js.log").open("w")
    process = subprocess.Popen(
        ["node", str(NODE_BOLT_APP)], cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        assert wait_until(lambda: "bolt app started" in (tmp_path / "bolt-js.log").read_text(), timeout=30), (
            tmp_path / "bolt-js.log"
        ).read_text()
        message_post(sender=team.member, channel=team.general, text="ping")
        assert wait_until(lambda: bot_said(app.bot_user, f"pong to <@{team.member.public_id}>"))
        asked = message_post(sender=team.member, channel=team.general, text=f"<@{app.bot_user.public_id}> hi")
        assert wait_until(lambda: bot_said(app.bot_user, "at your service"))
        assert Message.objects.get(author=app.bot_user, text="at your service").thread_root_id == asked.pk
        person = WebClient(
            token=api_token_create(actor=None, user=team.member, workspace=team.workspace)[1], base_url=api_url(server)
        )
        answer = person.api_call(
            "chat.command", params={"channel": team.general.public_id, "command": "/standup", "text": "now"}
        )
        assert answer["ok"] is True
        assert wait_until(lambda: bot_said(app.bot_user, "stand-up: now"))
    finally:
        stop_process(process)
        log.close()


@pytest.mark.django_db(transaction=True)
def test_an_ack_that_comes_while_earlier_acks_are_being_written_is_written_too(team, monkeypatch):
    app, _ = app_create(
        actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Acker", socket_mode=True)
    )
    event = AppEvent.objects.create(
        workspace=team.workspace, subscription="message.channels", event_type="message", event="{}", event_time=0
    )
    first, second = (EventDelivery.objects.create(app=app, app_event=event) for _ in range(2))
    acks = socket_mode._Acks()
    write_acks = socket_mode._mark_delivered

    async def second_ack_comes_while_the_first_is_written(delivery_ids: list[int]) -> None:
        if second.pk not in delivery_ids:
            acks.add(second.pk)
        await write_acks(delivery_ids)

    monkeypatch.setattr(socket_mode, "ACK_FLUSH_SECONDS", 0)
    monkeypatch.setattr(socket_mode, "_mark_delivered", second_ack_comes_while_the_first_is_written)

    async def ack_the_first() -> None:
        acks.add(first.pk)
        assert acks.flushing is not None
        await acks.flushing

    asyncio.run(ack_the_first())

    delivered = EventDelivery.objects.filter(state=DeliveryState.DELIVERED)
    assert set(delivered.values_list("pk", flat=True)) == {first.pk, second.pk}
