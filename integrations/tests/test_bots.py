"""Bot users made by workspace admins: a token for slack_sdk, messages that show as a bot's."""

from __future__ import annotations

import re

import pytest
from slack_sdk import WebClient

from accounts.models import ApiToken
from integrations.selectors import workspace_bots
from integrations.services import bot_create, webhook_create
from integrations.tokens import api_token_create
from slackclone.testing.assertions import refused


@pytest.mark.django_db
def test_admin_creates_a_bot_with_an_xoxb_token(team):
    bot, token = bot_create(actor=team.admin, workspace=team.workspace, name="Standup")
    assert bot.is_bot
    assert bot.full_name == "Standup"
    assert token.startswith("xoxb-")
    assert ApiToken.objects.get(user=bot).created_by == team.admin
    webhook_create(actor=team.admin, channel=team.general, name="Hook")  # its bot is not listed among bots
    assert [m.user for m in workspace_bots(actor=team.admin, workspace=team.workspace)] == [bot]
    with refused("restricted_action"):
        bot_create(actor=team.member, workspace=team.workspace, name="Mine")


@pytest.mark.django_db
def test_admin_page_and_api_create_bots(client, team):
    client.force_login(team.admin)
    created = client.post(f"/{team.workspace.slug}/admin/integrations/bots", {"name": "Reporter"})
    assert created.status_code == 201
    token = re.search(r'value="(xoxb-[^"]+)"', created.content.decode()).group(1)
    assert "Reporter" in client.get(f"/{team.workspace.slug}/admin/integrations/").content.decode()
    assert client.post(f"/{team.workspace.slug}/admin/integrations/bots", {"name": " "}).status_code == 400

    raw = api_token_create(actor=None, user=team.admin, workspace=team.workspace)[1]
    base = f"/api/v1/workspaces/{team.workspace.public_id}/bots"
    made = client.post(base, {"name": "Api bot"}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert made.status_code == 201
    assert made.json()["token"].startswith("xoxb-")
    listed = client.get(base, HTTP_AUTHORIZATION=f"Bearer {raw}").json()["bots"]
    assert {bot["user"]["real_name"] for bot in listed} == {"Reporter", "Api bot"}
    assert all(bot["user"]["is_bot"] for bot in listed)
    auth = client.post("/api/auth.test", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert auth["bot_id"] == auth["user_id"]


def test_a_created_bot_posts_through_slack_sdk_as_a_bot(live_server, team):
    bot, token = bot_create(actor=team.admin, workspace=team.workspace, name="Greeter")
    web = WebClient(token=token, base_url=live_server.url + "/api/")
    message = web.chat_postMessage(channel="#general", text="hello", username="Greeter 2", icon_emoji=":wave:")[
        "message"
    ]
    assert (message["bot_id"], message["subtype"], message["username"]) == (bot.public_id, "bot_message", "Greeter 2")
    assert message["bot_profile"]["name"] == "Greeter"
