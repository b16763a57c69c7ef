"""An app's bot token on the Web API: Slack's scope answers and headers, bots.info, its own workspace only."""

from __future__ import annotations

import json

import pytest

from chat.services import channel_invite, message_post
from integrations.services import bot_create
from slack_apps.manifest import parse_manifest, spec_from_options
from slack_apps.services import app_create
from workspaces.models import Membership

pytestmark = pytest.mark.django_db

ONLY_CHAT_WRITE = json.dumps(
    {"display_information": {"name": "Poster"}, "oauth_config": {"scopes": {"bot": ["chat:write"]}}}
)


def call(client, method: str, token: str, **args):
    response = client.post(f"/api/{method}", args, HTTP_AUTHORIZATION=f"Bearer {token}")
    return response, response.json()


def test_auth_test_names_the_bot_and_its_scopes(client, team):
    app, credentials = app_create(actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Helper"))
    response, body = call(client, "auth.test", credentials.bot_token)
    assert body["ok"] is True
    assert (body["user_id"], body["bot_id"], body["team_id"]) == (
        app.bot_user.public_id,
        app.bot_user.public_id,
        team.workspace.public_id,
    )
    assert response["X-OAuth-Scopes"].split(",") == list(app.scopes)


def test_a_method_outside_the_granted_scopes_answers_missing_scope(client, team):
    _, credentials = app_create(actor=team.admin, workspace=team.workspace, spec=parse_manifest(ONLY_CHAT_WRITE))
    response, body = call(client, "conversations.history", credentials.bot_token, channel=team.general.public_id)
    assert body == {
        "ok": False,
        "error": "missing_scope",
        "needed": "channels:history,groups:history,im:history,mpim:history",
        "provided": "chat:write",
    }
    assert response["X-Accepted-OAuth-Scopes"] == "channels:history,groups:history,im:history,mpim:history"
    _, posted = call(client, "chat.postMessage", credentials.bot_token, channel=team.general.public_id, text="hi")
    assert posted["ok"] is True


def test_an_app_bot_token_cannot_use_the_rtm_api_but_an_older_bot_token_can(client, team):
    _, credentials = app_create(actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="New"))
    assert call(client, "rtm.connect", credentials.bot_token)[1] == {"ok": False, "error": "not_allowed_token_type"}
    _, classic_token = bot_create(actor=team.admin, workspace=team.workspace, name="Classic")
    response, body = call(client, "rtm.connect", classic_token)
    assert body["ok"] is True
    assert "X-OAuth-Scopes" not in response


def test_bots_info_describes_a_bot_of_this_workspace_only(client, team, outsider):
    app, credentials = app_create(actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Info"))
    _, body = call(client, "bots.info", credentials.bot_token, bot=app.bot_user.public_id)
    assert body["bot"]["app_id"] == app.public_id
    assert body["bot"]["deleted"] is False
    assert call(client, "bots.info", credentials.bot_token, bot=team.member.public_id)[1]["error"] == "bot_not_found"

    elsewhere = Membership.objects.get(user=outsider).workspace
    _, other = app_create(actor=outsider, workspace=elsewhere, spec=spec_from_options(name="Other"))
    _, body = call(client, "bots.info", other.bot_token, bot=app.bot_user.public_id)
    assert body == {"ok": False, "error": "bot_not_found"}
    _, body = call(client, "conversations.info", other.bot_token, channel=team.general.public_id)
    assert body == {"ok": False, "error": "channel_not_found"}


def test_an_app_bot_reads_only_conversations_it_was_added_to(client, team):
    app, credentials = app_create(actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Reader"))
    message_post(sender=team.owner, channel=team.random, text="before the bot came")
    args = {"channel": team.random.public_id}
    assert call(client, "conversations.history", credentials.bot_token, **args)[1] == {
        "ok": False,
        "error": "not_in_channel",
    }
    channel_invite(actor=team.owner, channel=team.random, users=[app.bot_user])
    _, body = call(client, "conversations.history", credentials.bot_token, **args)
    assert "before the bot came" in [m["text"] for m in body["messages"]]
    listed = call(client, "conversations.list", credentials.bot_token)[1]["channels"]
    assert {c["name"] for c in listed} >= {"general", "random"}  # public channels are listed, as Slack does
