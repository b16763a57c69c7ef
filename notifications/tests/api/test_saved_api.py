"""Saved for later through the REST API and Slack's stars.*: save, list with context, mark done, remove; only
one's own list, only messages one can read, and every change on one's own sockets."""

from __future__ import annotations

import pytest

from chat.services import channel_create, channel_leave, message_delete, message_post
from realtime import transport
from slack_api.tests.conftest import token_for
from slackclone.testing.api import error_code

pytestmark = pytest.mark.django_db


def saved_url(message) -> str:
    return f"/api/v1/channels/{message.channel.public_id}/messages/{message.ts}/saved"


def listing(client, team, state: str = "in_progress") -> list[str]:
    items = client.get(f"/api/v1/workspaces/{team.workspace.public_id}/saved", {"state": state}).json()["items"]
    return [item["message"]["text"] for item in items]


def test_save_list_mark_done_and_remove(team, client_for):
    client = client_for(team.member)
    first = message_post(sender=team.owner, channel=team.general, text="read the RFC")
    second = message_post(sender=team.owner, channel=team.general, text="review the deck")
    assert client.put(saved_url(first)).json() == {"ok": True}
    assert client.put(saved_url(second)).status_code == 200
    assert listing(client, team) == ["review the deck", "read the RFC"]
    again = client.put(saved_url(first))
    assert (again.status_code, error_code(again)) == (409, "already_starred")
    assert client.patch(saved_url(first), {"done": True}, format="json").status_code == 200
    assert listing(client, team) == ["review the deck"]
    assert listing(client, team, "done") == ["read the RFC"]
    assert client.delete(saved_url(second)).status_code == 200
    gone = client.delete(saved_url(second))
    assert (gone.status_code, error_code(gone)) == (404, "not_starred")
    assert listing(client_for(team.other_member), team) == [], "a list is its owner's alone"


def test_only_messages_you_can_read_are_saved_or_listed(team, client_for, outsider):
    private = channel_create(actor=team.other_member, workspace=team.workspace, name="plans", is_private=True)
    hidden = message_post(sender=team.other_member, channel=private, text="secret")
    for person in (team.member, team.admin, team.guest, outsider):
        response = client_for(person).put(saved_url(hidden))
        assert (response.status_code, error_code(response)) == (404, "channel_not_found"), person
    client = client_for(team.other_member)
    client.put(saved_url(hidden))
    kept = message_post(sender=team.owner, channel=team.general, text="kept")
    deleted = message_post(sender=team.owner, channel=team.general, text="deleted soon")
    client.put(saved_url(kept))
    client.put(saved_url(deleted))
    message_delete(actor=team.owner, message=deleted)
    channel_leave(actor=team.other_member, channel=private)
    assert listing(client, team) == ["kept"]


def test_each_change_reaches_only_the_persons_own_sockets(
    team, client_for, layer_listener, django_capture_on_commit_callbacks
):
    message = message_post(sender=team.owner, channel=team.general, text="later")
    mine = layer_listener(transport.user_group(team.member))
    theirs = layer_listener(transport.user_group(team.owner))
    client = client_for(team.member)
    with django_capture_on_commit_callbacks(execute=True):
        client.put(saved_url(message))
        client.patch(saved_url(message), {"done": True}, format="json")
        client.delete(saved_url(message))
    events = [mine.receive_event() for _ in range(3)]
    assert [(e["type"], e["saved"], e["done"]) for e in events] == [
        ("saved_item_changed", True, False),
        ("saved_item_changed", True, True),
        ("saved_item_changed", False, False),
    ]
    assert events[0]["ts"] == message.ts
    assert theirs.drain() == []


def test_stars_methods_speak_slacks_older_api(client, team):
    message = message_post(sender=team.owner, channel=team.general, text="star me")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(team.member, team.workspace)}"}
    args = {"channel": team.general.public_id, "timestamp": message.ts}
    assert client.post("/api/stars.add", args, **headers).json() == {"ok": True}
    assert client.post("/api/stars.add", args, **headers).json()["error"] == "already_starred"
    listed = client.post("/api/stars.list", **headers).json()
    assert [(item["type"], item["channel"], item["message"]["text"]) for item in listed["items"]] == [
        ("message", team.general.public_id, "star me")
    ]
    assert client.post("/api/stars.remove", args, **headers).json() == {"ok": True}
    assert client.post("/api/stars.remove", args, **headers).json()["error"] == "not_starred"
