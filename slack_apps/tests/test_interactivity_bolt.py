"""An unmodified Bolt for Python app in Socket Mode answers a click in its message and a shortcut, against a
real server process: the interactive parts of an existing Slack app work unchanged."""

from __future__ import annotations

import pytest
import requests
from slack_bolt import App as BoltApp
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient

from chat.models import Message
from chat.services import message_post
from integrations.tokens import api_token_create
from slack_apps.manifest import ShortcutSpec, spec_from_options
from slack_apps.services import app_create
from slack_apps.tests.support import api_url, wait_until

APPROVAL = [
    {"type": "section", "block_id": "ask", "text": {"type": "mrkdwn", "text": "Deploy *api* to production?"}},
    {
        "type": "actions",
        "block_id": "decide",
        "elements": [
            {"type": "button", "action_id": "approve", "style": "primary", "value": "api",
             "text": {"type": "plain_text", "text": "Approve"}},
        ],
    },
]  # fmt: skip


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_bolt_app_answers_a_click_by_replacing_its_message_and_a_shortcut_by_posting(team, server):
    spec = spec_from_options(name="Deployer", socket_mode=True)
    spec = type(spec)(**{**vars(spec), "shortcuts": (ShortcutSpec("Deploy status", "global", "status"),)})
    app, credentials = app_create(actor=team.admin, workspace=team.workspace, spec=spec)
    bolt = BoltApp(client=WebClient(token=credentials.bot_token, base_url=api_url(server)))

    @bolt.action("approve")
    def approve(ack, body, respond):
        ack()
        respond(replace_original=True, text=f"Approved by <@{body['user']['id']}> ({body['actions'][0]['value']})")

    @bolt.shortcut("status")
    def status(ack, shortcut, client):
        ack()
        client.chat_postMessage(channel=team.general.public_id, text=f"all green, <@{shortcut['user']['id']}>")

    handler = SocketModeHandler(bolt, credentials.app_token)
    handler.connect()
    try:
        assert wait_until(lambda: handler.client.is_connected())
        asking = message_post(sender=app.bot_user, channel=team.general, text="Deploy?", blocks=APPROVAL)
        token = api_token_create(actor=None, user=team.member, workspace=team.workspace)[1]
        rest = f"http://127.0.0.1:{server.port}/api/v1/interactions"
        headers = {"Authorization": f"Bearer {token}"}
        click = {
            "container": {"type": "message", "channel": team.general.public_id, "message_ts": asking.ts},
            "action": {"block_id": "decide", "action_id": "approve", "type": "button"},
        }
        assert requests.post(f"{rest}/block-actions", json=click, headers=headers, timeout=10).json() == {"ok": True}
        approved = f"Approved by <@{team.member.public_id}> (api)"
        assert wait_until(lambda: Message.objects.get(pk=asking.pk).text == approved)
        assert Message.objects.get(pk=asking.pk).blocks == []

        run = {"app_id": app.public_id, "callback_id": "status", "type": "global"}
        assert requests.post(f"{rest}/shortcut", json=run, headers=headers, timeout=10).json() == {"ok": True}
        said = f"all green, <@{team.member.public_id}>"
        assert wait_until(lambda: Message.objects.filter(author=app.bot_user, text=said).exists())
    finally:
        handler.close()
