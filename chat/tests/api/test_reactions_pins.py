"""Reactions (add, remove, who) and pins over the API."""

from __future__ import annotations

import pytest

from chat.services import message_post, pin_add, reaction_add
from slackclone.testing.api import error_code


@pytest.fixture
def message(team):
    return message_post(sender=team.owner, channel=team.general, text="react to me")


def _url(team, message, suffix=""):
    return f"/api/v1/channels/{team.general.public_id}/messages/{message.ts}{suffix}"


def test_add_reaction_and_list_who(team, message, client_for):
    response = client_for(team.member).post(_url(team, message, "/reactions"), {"name": ":thumbsup:"})
    assert response.status_code == 201
    assert response.json()["message"]["reactions"] == [
        {"name": "thumbsup", "users": [team.member.public_id], "count": 1}
    ]
    reaction_add(actor=team.owner, message=message, emoji="thumbsup")
    listed = client_for(team.other_member).get(_url(team, message, "/reactions")).json()["reactions"]
    assert listed == [{"name": "thumbsup", "users": [team.member.public_id, team.owner.public_id], "count": 2}]


def test_adding_the_same_reaction_twice_is_409(team, message, client_for):
    client = client_for(team.member)
    client.post(_url(team, message, "/reactions"), {"name": "wave"})
    response = client.post(_url(team, message, "/reactions"), {"name": "wave"})
    assert (response.status_code, error_code(response)) == (409, "already_reacted")


def test_bad_emoji_is_400_invalid_emoji(team, message, client_for):
    response = client_for(team.member).post(_url(team, message, "/reactions"), {"name": "no spaces"})
    assert (response.status_code, error_code(response)) == (400, "invalid_emoji")


def test_remove_reaction(team, message, client_for):
    reaction_add(actor=team.member, message=message, emoji="wave")
    client = client_for(team.member)
    response = client.delete(_url(team, message, "/reactions/wave"))
    assert response.status_code == 200
    assert "reactions" not in response.json()["message"]
    missing = client.delete(_url(team, message, "/reactions/wave"))
    assert (missing.status_code, error_code(missing)) == (404, "no_reaction")


def test_pin_list_and_unpin(team, message, client_for):
    client = client_for(team.member)
    assert client.post(_url(team, message, "/pin")).status_code == 201
    again = client.post(_url(team, message, "/pin"))
    assert (again.status_code, error_code(again)) == (409, "already_pinned")
    pins = client.get(f"/api/v1/channels/{team.general.public_id}/pins").json()["messages"]
    assert [m["ts"] for m in pins] == [message.ts]
    assert client.delete(_url(team, message, "/pin")).status_code == 200
    assert client.get(f"/api/v1/channels/{team.general.public_id}/pins").json()["messages"] == []
    missing = client.delete(_url(team, message, "/pin"))
    assert (missing.status_code, error_code(missing)) == (404, "no_pin")


def test_pins_list_newest_pin_first(team, client_for):
    first = message_post(sender=team.owner, channel=team.general, text="a")
    second = message_post(sender=team.owner, channel=team.general, text="b")
    pin_add(actor=team.owner, message=second)
    pin_add(actor=team.owner, message=first)
    pins = client_for(team.member).get(f"/api/v1/channels/{team.general.public_id}/pins").json()["messages"]
    assert [m["text"] for m in pins] == ["a", "b"]


def test_react_to_deleted_message_is_404(team, client_for):
    message = message_post(sender=team.member, channel=team.general, text="gone")
    client = client_for(team.member)
    client.delete(_url(team, message))
    response = client.post(_url(team, message, "/reactions"), {"name": "wave"})
    assert (response.status_code, error_code(response)) == (404, "message_not_found")
