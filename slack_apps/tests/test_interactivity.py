"""A click in an app's message (block_actions) and the apps' shortcuts: what the app is sent, what it may
answer, and who may act where."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, unquote

import pytest
from django.utils import timezone

from chat.models import Channel, ChannelMember, Message
from chat.services import channel_create, message_post
from slack_apps import interactions
from slack_apps.commands import respond
from slack_apps.delivery import signature
from slack_apps.manifest import ShortcutSpec, spec_from_options
from slack_apps.sealing import unseal
from slack_apps.services import app_create, app_set_enabled, app_set_urls
from slack_apps.tests.support import echo_challenges
from slack_apps.triggers import trigger_exchange
from slackclone.testing.api import error_code
from slackclone.testing.assertions import refused
from slackclone.testing.http_recorder import Answer, recording_server
from workspaces.models import Membership

pytestmark = pytest.mark.django_db

BLOCKS = [
    {"type": "section", "block_id": "ask", "text": {"type": "mrkdwn", "text": "Deploy *api*?"}},
    {
        "type": "actions",
        "block_id": "choose",
        "elements": [
            {
                "type": "button",
                "action_id": "approve",
                "text": {"type": "plain_text", "text": "Approve"},
                "value": "v1",
            },
            {
                "type": "static_select",
                "action_id": "env",
                "options": [
                    {"text": {"type": "plain_text", "text": "Staging"}, "value": "staging"},
                    {"text": {"type": "plain_text", "text": "Production"}, "value": "prod"},
                ],
            },
        ],
    },
]
CLICK = {"block_id": "choose", "action_id": "approve", "type": "button", "value": "forged"}


@pytest.fixture
def app_server(team):
    """An enabled HTTP app of the team's workspace whose interactivity URL records what it is sent."""
    with recording_server() as server:
        server.respond = echo_challenges
        spec = spec_from_options(name="Deployer")
        spec = type(spec)(**{**vars(spec), "shortcuts": (
            ShortcutSpec("New poll", "global", "poll", "Ask the team"),
            ShortcutSpec("Make a task", "message", "task"),
        )})  # fmt: skip
        app, _ = app_create(actor=team.admin, workspace=team.workspace, spec=spec)
        app_set_urls(actor=team.admin, app=app, interactivity_url=f"{server.url}/slack/interactive")
        server.received.clear()
        server.app = app
        yield server


def posted_by_app(team, app, channel=None) -> Message:
    return message_post(sender=app.bot_user, channel=channel or team.general, text="Deploy?", blocks=BLOCKS)


def click(client, message: Message, action: dict, state: dict | None = None):
    body = {
        "container": {"type": "message", "channel": message.channel.public_id, "message_ts": message.ts},
        "action": action,
        "state": state or {"values": {}},
    }
    return client.post("/api/v1/interactions/block-actions", body, format="json")


def sent_payload(server) -> dict:
    (received,) = server.received
    return json.loads(parse_qs(received.body.decode())["payload"][0])


def test_a_click_reaches_the_app_signed_with_what_the_message_says_not_what_the_browser_says(
    team, app_server, client_for
):
    message = posted_by_app(team, app_server.app)
    response = click(client_for(team.member), message, CLICK)
    assert response.status_code == 200
    (received,) = app_server.received
    secret = unseal(app_server.app.signing_secret_sealed)
    timestamp = int(received.headers["X-Slack-Request-Timestamp"])
    assert received.headers["X-Slack-Signature"] == signature(secret, timestamp, received.body)
    payload = sent_payload(app_server)
    assert payload["type"] == "block_actions"
    assert payload["user"]["id"] == team.member.public_id
    assert payload["api_app_id"] == app_server.app.public_id
    assert payload["container"] == {
        "type": "message",
        "message_ts": message.ts,
        "channel_id": team.general.public_id,
        "is_ephemeral": False,
    }
    assert payload["channel"] == {"id": team.general.public_id, "name": "general"}
    assert payload["team"]["id"] == team.workspace.public_id
    assert payload["message"]["blocks"][0]["block_id"] == "ask"
    (action,) = payload["actions"]
    assert (action["action_id"], action["block_id"], action["value"]) == ("approve", "choose", "v1")
    assert action["text"]["text"] == "Approve"
    assert payload["response_url"].startswith("http")
    assert trigger_exchange(trigger_id=payload["trigger_id"], app_pk=app_server.app.pk).user_pk == team.member.pk


def test_a_choice_must_be_one_the_element_offers_and_the_element_must_exist(team, app_server, client_for):
    message = posted_by_app(team, app_server.app)
    client = client_for(team.member)
    choose = {"block_id": "choose", "action_id": "env", "type": "static_select"}
    ok = click(client, message, {**choose, "selected_option": {"value": "prod", "text": {"text": "forged"}}})
    assert ok.status_code == 200
    assert sent_payload(app_server)["actions"][0]["selected_option"]["text"]["text"] == "Production"
    app_server.received.clear()
    for action in (
        {**choose, "selected_option": {"value": "dev"}},
        {**CLICK, "action_id": "nope"},
        {**CLICK, "type": "static_select"},
        "not an object",
    ):
        response = click(client, message, action)
        assert (response.status_code, error_code(response)) == (400, "invalid_arguments")
    assert app_server.received == []


def test_state_values_are_sent_as_the_client_gathered_them_once_checked(team, app_server, client_for):
    message = posted_by_app(team, app_server.app)
    state = {
        "values": {
            "choose": {
                "env": {
                    "type": "static_select",
                    "selected_option": {"value": "prod", "text": {"type": "plain_text", "text": "P"}},
                }
            }
        }
    }
    assert click(client_for(team.member), message, CLICK, state).status_code == 200
    assert sent_payload(app_server)["state"]["values"]["choose"]["env"]["selected_option"]["value"] == "prod"
    bad_state = {"values": {"choose": {"env": {"type": "datepicker", "selected_date": "tomorrow"}}}}
    response = click(client_for(team.member), message, CLICK, bad_state)
    assert (response.status_code, error_code(response)) == (400, "invalid_arguments")


def test_only_people_who_can_see_the_message_can_act_on_it(team, app_server, client_for, outsider):
    private = channel_create(actor=team.member, workspace=team.workspace, name="secret", is_private=True)
    ChannelMember.objects.create(channel=private, user=app_server.app.bot_user)
    in_private = posted_by_app(team, app_server.app, private)
    in_general = posted_by_app(team, app_server.app)
    for person, message in ((team.admin, in_private), (team.guest, in_general), (outsider, in_general)):
        response = click(client_for(person), message, CLICK)
        assert (response.status_code, error_code(response)) == (404, "channel_not_found"), person
    assert app_server.received == []
    elsewhere = Membership.objects.get(user=outsider).workspace
    their_channel = Channel.objects.create(workspace=elsewhere, name="theirs", created_by=outsider)
    ChannelMember.objects.create(channel=their_channel, user=outsider)
    token_of_their_workspace = client_for(outsider, elsewhere)
    response = click(token_of_their_workspace, in_general, CLICK)
    assert (response.status_code, error_code(response)) == (404, "channel_not_found")
    assert click(client_for(team.member, team.workspace), in_general, CLICK).status_code == 200


def test_a_persons_message_or_a_disabled_apps_has_no_app_to_tell(team, app_server, client_for):
    theirs = message_post(sender=team.other_member, channel=team.general, text="x", blocks=BLOCKS)
    response = click(client_for(team.member), theirs, CLICK)
    assert (response.status_code, error_code(response)) == (404, "app_not_found")
    message = posted_by_app(team, app_server.app)
    app_set_enabled(actor=team.admin, app=app_server.app, enabled=False)
    response = click(client_for(team.member), message, CLICK)
    assert (response.status_code, error_code(response)) == (404, "app_not_found")
    assert app_server.received == []


def test_an_app_that_does_not_ack_in_time_is_reported_and_nothing_changes(team, app_server, client_for, monkeypatch):
    monkeypatch.setattr(interactions, "ACK_SECONDS", 0.2)
    message = posted_by_app(team, app_server.app)
    app_server.answers = [Answer(200, delay=0.5)]
    response = click(client_for(team.member), message, CLICK)
    assert (response.status_code, error_code(response)) == (504, "app_did_not_respond")
    app_server.answers = [Answer(500)]
    response = click(client_for(team.member), message, CLICK)
    assert (response.status_code, error_code(response)) == (504, "app_did_not_respond")
    assert Message.objects.get(pk=message.pk).blocks == message.blocks


def test_the_response_url_of_a_click_replaces_the_message_for_everyone(team, app_server, client_for):
    message = posted_by_app(team, app_server.app)
    click(client_for(team.member), message, CLICK)
    secret = unquote(sent_payload(app_server)["response_url"]).rsplit("/", 1)[-1]
    done = [{"type": "section", "text": {"type": "mrkdwn", "text": f"Approved by <@{team.member.public_id}>"}}]
    respond(secret=secret, body=json.dumps({"replace_original": True, "text": "Approved", "blocks": done}).encode())
    replaced = Message.objects.get(pk=message.pk)
    assert (replaced.text, replaced.blocks[0]["text"]["text"]) == ("Approved", done[0]["text"]["text"])
    respond(secret=secret, body=json.dumps({"delete_original": True}).encode())
    assert Message.objects.get(pk=message.pk).is_deleted


def test_a_trigger_id_opens_once_within_three_seconds_and_only_for_its_app(team, app_server, client_for):
    message = posted_by_app(team, app_server.app)
    trigger_ids = []
    for _ in range(3):
        app_server.received.clear()
        click(client_for(team.member), message, CLICK)
        trigger_ids.append(sent_payload(app_server)["trigger_id"])
    fresh, late, other = trigger_ids
    app = app_server.app
    trigger_exchange(trigger_id=fresh, app_pk=app.pk)
    with refused("exchanged_trigger_id"):
        trigger_exchange(trigger_id=fresh, app_pk=app.pk)
    with refused("expired_trigger_id"):
        trigger_exchange(trigger_id=late, app_pk=app.pk, now=timezone.now() + timedelta(seconds=4))
    with refused("invalid_trigger_id"):
        trigger_exchange(trigger_id=other, app_pk=app.pk + 1)
    for made_up in ("123.456.abc", "", "x" * 200):
        with refused("invalid_trigger_id"):
            trigger_exchange(trigger_id=made_up, app_pk=app.pk)


def test_shortcuts_are_listed_for_members_of_the_apps_workspace_only(team, app_server, client_for, outsider):
    listing = client_for(team.guest).get(f"/api/v1/interactions/shortcuts?workspace={team.workspace.slug}").json()
    assert [(s["name"], s["type"], s["app_name"]) for s in listing["shortcuts"]] == [
        ("Make a task", "message", "Deployer"),
        ("New poll", "global", "Deployer"),
    ]
    by_id = client_for(team.member).get(f"/api/v1/interactions/shortcuts?workspace={team.workspace.public_id}")
    assert len(by_id.json()["shortcuts"]) == 2
    response = client_for(outsider).get(f"/api/v1/interactions/shortcuts?workspace={team.workspace.slug}")
    assert (response.status_code, error_code(response)) == (404, "workspace_not_found")
    app_set_enabled(actor=team.admin, app=app_server.app, enabled=False)
    assert client_for(team.member).get(f"/api/v1/interactions/shortcuts?workspace={team.workspace.slug}").json() == {
        "shortcuts": []
    }


def test_a_global_shortcut_and_a_message_shortcut_reach_the_app_with_a_trigger_id(team, app_server, client_for):
    client = client_for(team.member)
    app_id = app_server.app.public_id
    ran = client.post(
        "/api/v1/interactions/shortcut", {"app_id": app_id, "callback_id": "poll", "type": "global"}, format="json"
    )
    assert ran.status_code == 200
    payload = sent_payload(app_server)
    assert (payload["type"], payload["callback_id"], payload["user"]["id"]) == (
        "shortcut",
        "poll",
        team.member.public_id,
    )
    trigger_exchange(trigger_id=payload["trigger_id"], app_pk=app_server.app.pk)
    app_server.received.clear()
    message = message_post(sender=team.other_member, channel=team.general, text="fix the build")
    body = {"app_id": app_id, "callback_id": "task", "type": "message", "channel": team.general.public_id}
    assert (
        client.post("/api/v1/interactions/shortcut", {**body, "message_ts": message.ts}, format="json").status_code
        == 200
    )
    payload = sent_payload(app_server)
    assert (payload["type"], payload["message_ts"], payload["message"]["text"]) == (
        "message_action",
        message.ts,
        "fix the build",
    )
    assert payload["channel"]["id"] == team.general.public_id


def test_a_shortcut_not_declared_or_of_another_workspace_is_not_found(team, app_server, client_for, outsider):
    app_id = app_server.app.public_id
    for person, body in (
        (team.member, {"app_id": app_id, "callback_id": "poll", "type": "message"}),
        (team.member, {"app_id": app_id, "callback_id": "nope", "type": "global"}),
        (team.member, {"app_id": "A0000000000", "callback_id": "poll", "type": "global"}),
        (outsider, {"app_id": app_id, "callback_id": "poll", "type": "global"}),
    ):
        response = client_for(person).post("/api/v1/interactions/shortcut", body, format="json")
        assert (response.status_code, error_code(response)) == (404, "app_not_found"), body
    private = channel_create(actor=team.other_member, workspace=team.workspace, name="hidden", is_private=True)
    hidden = message_post(sender=team.other_member, channel=private, text="mine")
    body = {"app_id": app_id, "callback_id": "task", "type": "message", "channel": private.public_id}
    response = client_for(team.member).post(
        "/api/v1/interactions/shortcut", {**body, "message_ts": hidden.ts}, format="json"
    )
    assert (response.status_code, error_code(response)) == (404, "channel_not_found")
    assert app_server.received == []
