"""rtm.connect: a one-time ticket URL to the socket; slack_sdk's RTMClient round trip against a real server."""

from __future__ import annotations

import os
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.db import connection
from slack_sdk.rtm_v2 import RTMClient

from chat.models import Message
from chat.services import message_post
from realtime.tests.test_e2e import Server
from realtime.tickets import ticket_redeem
from slack_api.tests.conftest import token_for
from slackclone.testing.processes import stop as stop_process


def _rtm_connect(client, raw: str | None, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"} if raw is not None else {}
    return client.post("/api/rtm.connect", **headers, **extra).json()


@pytest.mark.django_db
def test_rtm_connect_answers_a_socket_url_with_a_ticket_self_and_team(client, team):
    body = _rtm_connect(client, token_for(team.member, team.workspace))
    assert body["ok"] is True
    url = urlsplit(body["url"])
    assert (url.scheme, url.netloc, url.path) == ("ws", "testserver", "/ws/")
    ticket = parse_qs(url.query)["ticket"][0]
    assert body["self"] == {"id": team.member.public_id, "name": team.member.email.split("@", 1)[0]}
    assert body["team"] == {"id": team.workspace.public_id, "name": team.workspace.name, "domain": team.workspace.slug}
    token = ticket_redeem(ticket)
    assert (token.user, token.workspace) == (team.member, team.workspace)
    assert ticket_redeem(ticket) is None


@pytest.mark.django_db
def test_rtm_connect_over_https_answers_wss(client, team):
    body = _rtm_connect(client, token_for(team.member, team.workspace), secure=True)
    assert body["url"].startswith("wss://testserver/ws/?ticket=")


@pytest.mark.django_db
def test_rtm_connect_needs_a_good_token(client, team):
    assert _rtm_connect(client, None) == {"ok": False, "error": "not_authed"}
    assert _rtm_connect(client, "xoxb-made-up") == {"ok": False, "error": "invalid_auth"}


@pytest.mark.django_db
def test_rtm_connect_answers_internal_error_when_the_ticket_store_is_down(client, team, settings):
    raw = token_for(team.member, team.workspace)
    # A Redis nobody listens on: the ticket cannot be stored, so no URL may be handed out.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    assert _rtm_connect(client, raw) == {"ok": False, "error": "internal_error"}


@pytest.fixture
def server(django_db_setup, transactional_db):
    """One Daphne process on the test database and this run's Redis; the test publishes to the same Redis."""
    process = Server(connection.settings_dict["NAME"], os.environ.get("REDIS_URL", settings.REDIS_URL))
    try:
        yield process
    finally:
        stop_process(process.process)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_slack_sdk_rtm_client_round_trip(team, bot, server):
    raw = token_for(bot, team.workspace)
    rtm = RTMClient(token=raw, base_url=f"http://127.0.0.1:{server.port}/api/", auto_reconnect_enabled=False)
    hello, heard = threading.Event(), threading.Event()
    texts: list[str] = []

    @rtm.on("hello")
    def on_hello(client, event):
        hello.set()

    @rtm.on("message")
    def on_message(client, event):
        texts.append(event.get("text"))
        if event.get("text") == "from a person":
            heard.set()

    rtm.connect()
    try:
        assert hello.wait(10), "no hello"
        message_post(sender=team.member, channel=team.general, text="from a person")
        assert heard.wait(10), f"the bot heard only {texts}"
        rtm.send({"id": 1, "type": "message", "channel": team.general.public_id, "text": "from the bot"})
        for _ in range(100):
            if Message.objects.filter(channel=team.general, author=bot, text="from the bot").exists():
                break
            threading.Event().wait(0.1)
        assert Message.objects.filter(channel=team.general, author=bot, text="from the bot").count() == 1
    finally:
        rtm.close()
