"""The dispatcher over plain HTTP: bodies, tokens, unknown methods, errors, rate limiting."""

from __future__ import annotations

import json

import pytest

from chat.models import Message
from slack_api.tests.conftest import token_for

pytestmark = pytest.mark.django_db


def test_form_body_with_token_field(client, team):
    raw = token_for(team.member, team.workspace)
    response = client.post("/api/chat.postMessage", {"token": raw, "channel": team.general.public_id, "text": "hi"})
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["channel"] == team.general.public_id
    assert Message.objects.get(ts=body["ts"]).text == "hi"


def test_json_body_with_bearer_header(client, team):
    raw = token_for(team.member, team.workspace)
    response = client.post(
        "/api/chat.postMessage",
        json.dumps({"channel": "#general", "text": "from json"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.json()["message"]["text"] == "from json"


def test_empty_bodies_and_get_query_string(client, team):
    raw = token_for(team.member, team.workspace)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.post("/api/auth.test", "", content_type="application/json", **auth).json()["ok"] is True
    assert client.post("/api/auth.test", **auth).json()["user_id"] == team.member.public_id
    assert client.get("/api/auth.test", {"token": raw}).json()["team_id"] == team.workspace.public_id


def test_api_test_needs_no_token_and_echoes(client):
    assert client.get("/api/api.test", {"foo": "bar"}).json() == {"ok": True, "args": {"foo": "bar"}}
    assert client.get("/api/api.test", {"error": "my_error"}).json()["error"] == "my_error"


def test_errors_are_http_200(client, team):
    assert client.post("/api/auth.test").json() == {"ok": False, "error": "not_authed"}
    assert client.post("/api/auth.test", {"token": "xoxp-nope"}).json()["error"] == "invalid_auth"
    assert client.post("/api/nope.nothing").json() == {"ok": False, "error": "method_not_supported"}
    bad = client.post("/api/auth.test", "{not json", content_type="application/json")
    assert bad.status_code == 200
    assert bad.json()["error"] == "invalid_json"


DEEP = "[" * 100_000


@pytest.mark.parametrize("body", [DEEP, '{"text": ' * 100_000, "[" * 65 + "]" * 65])
def test_json_nested_too_deeply_is_invalid_json(client, team, body):
    raw = token_for(team.member, team.workspace)
    response = client.post(
        "/api/chat.postMessage", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert (response.status_code, response.json()) == (200, {"ok": False, "error": "invalid_json"})


@pytest.mark.parametrize(
    ("method", "arguments", "error"),
    [
        ("chat.postMessage", {"channel": "#general", "blocks": DEEP}, "invalid_blocks"),
        ("chat.postMessage", {"channel": "#general", "attachments": DEEP}, "invalid_attachments"),
        ("users.profile.set", {"profile": DEEP}, "invalid_profile"),
        ("files.completeUploadExternal", {"channel_id": "#general", "files": DEEP}, "invalid_arguments"),
    ],
)
def test_json_arguments_in_a_form_nested_too_deeply_are_refused(client, team, method, arguments, error):
    raw = token_for(team.member, team.workspace)
    response = client.post(f"/api/{method}", {"token": raw, **arguments})
    assert (response.status_code, response.json()["ok"], response.json()["error"]) == (200, False, error)
    assert not Message.objects.filter(channel=team.general).exists()


def test_rest_api_paths_are_not_shadowed():
    from django.urls import resolve

    assert resolve("/api/chat.postMessage").url_name == "method"
    assert resolve("/api/users.profile.get").kwargs == {"method": "users.profile.get"}
    for path in ("/api/v1/", "/api/schema/", "/api/docs/"):
        assert resolve(path).url_name != "method"


def test_booleans_and_lists(client, team):
    raw = token_for(team.owner, team.workspace)
    created = client.post("/api/conversations.create", {"token": raw, "name": "secret", "is_private": "1"}).json()
    assert created["channel"]["is_private"] is True
    assert created["channel"]["id"].startswith("G")
    users = f"{team.member.public_id},{team.other_member.public_id}"
    invited = client.post(
        "/api/conversations.invite", {"token": raw, "channel": created["channel"]["id"], "users": users}
    )
    assert invited.json()["ok"] is True
    members = client.get("/api/conversations.members", {"token": raw, "channel": created["channel"]["id"]}).json()
    assert set(members["members"]) == {team.owner.public_id, team.member.public_id, team.other_member.public_id}
    public = client.post("/api/conversations.create", {"token": raw, "name": "open", "is_private": "false"}).json()
    assert public["channel"]["is_private"] is False


def test_deactivated_member_is_account_inactive(client, team):
    from workspaces.services import member_deactivate

    raw = token_for(team.member, team.workspace)
    member_deactivate(actor=None, workspace=team.workspace, user=team.member)
    assert client.post("/api/auth.test", {"token": raw}).json()["error"] == "account_inactive"


def test_rate_limited_writes_get_429_with_retry_after(client, team, settings):
    settings.API_WRITE_RATE = "2/m"
    from django.core.cache import cache

    cache.clear()
    raw = token_for(team.member, team.workspace)
    data = {"token": raw, "channel": team.general.public_id, "text": "again"}
    assert client.post("/api/chat.postMessage", data).status_code == 200
    assert client.post("/api/chat.postMessage", data).status_code == 200
    limited = client.post("/api/chat.postMessage", data)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert limited.json() == {"ok": False, "error": "ratelimited"}
    assert client.post("/api/auth.test", {"token": raw}).json()["ok"] is True  # reads are not counted


def test_invalid_arguments_say_which(client, team):
    raw = token_for(team.member, team.workspace)
    body = client.post("/api/conversations.kick", {"token": raw, "channel": team.general.public_id}).json()
    assert body["error"] == "invalid_arguments"
    assert body["response_metadata"]["messages"] == ["[ERROR] user is required"]
    bad_bool = client.post("/api/conversations.list", {"token": raw, "exclude_archived": "maybe"}).json()
    assert bad_bool["error"] == "invalid_arguments"
    assert client.post("/api/conversations.list", {"token": raw, "types": "nope"}).json()["error"] == "invalid_types"
    assert client.post("/api/conversations.list", {"token": raw, "limit": "x"}).json()["error"] == "invalid_limit"


def test_invalid_blocks_answer_as_slack_with_the_json_pointer(client, team):
    raw = token_for(team.member, team.workspace)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": ""}}]
    body = client.post(
        "/api/chat.postMessage",
        {"token": raw, "channel": team.general.public_id, "text": "x", "blocks": json.dumps(blocks)},
    ).json()
    expected = "must be more than 0 characters [json-pointer:/blocks/0/text/text]"
    assert body == {
        "ok": False,
        "error": "invalid_blocks",
        "errors": [expected],
        "response_metadata": {"messages": [f"[ERROR] {expected}"]},
    }
    assert not Message.objects.filter(channel=team.general).exists()


def test_chat_update_keeps_blocks_left_out_and_replaces_given_ones(client, team):
    raw = token_for(team.member, team.workspace)
    first = [{"type": "header", "text": {"type": "plain_text", "text": "One"}}]
    second = [{"type": "header", "text": {"type": "plain_text", "text": "Two"}}]
    posted = client.post(
        "/api/chat.postMessage", {"token": raw, "channel": team.general.public_id, "blocks": json.dumps(first)}
    ).json()
    args = {"token": raw, "channel": team.general.public_id, "ts": posted["ts"]}
    kept = client.post("/api/chat.update", {**args, "text": "fallback"}).json()
    assert kept["message"]["blocks"][0]["text"]["text"] == "One"
    replaced = client.post("/api/chat.update", {**args, "blocks": json.dumps(second)}).json()
    assert (replaced["text"], replaced["message"]["blocks"][0]["text"]["text"]) == ("Two", "Two")
