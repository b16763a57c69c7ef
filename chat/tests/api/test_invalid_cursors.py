"""A cursor is no existence oracle: one naming a message the reader may not read (another workspace's,
a private channel's they are not in, a deleted one) answers exactly as a made-up one does."""

from __future__ import annotations

import pytest

from chat.services import channel_create, message_delete, message_post
from slack_api.tests.conftest import token_for
from slackclone.api.pagination import encode_cursor


@pytest.fixture
def unreadable(team, outsider):
    """Cursor parts (channel, ts) for messages the member may not read, and for garbage."""
    elsewhere = outsider.memberships.get().workspace
    theirs = message_post(sender=outsider, channel=elsewhere.channels.get(name="general"), text="theirs")
    secret = channel_create(actor=team.owner, workspace=team.workspace, name="secret", is_private=True)
    private = message_post(sender=team.owner, channel=secret, text="private")
    deleted = message_post(sender=team.owner, channel=team.general, text="gone")
    message_delete(actor=team.owner, message=deleted)
    return {
        "another workspace": [theirs.channel.public_id, theirs.ts],
        "a private channel": [private.channel.public_id, private.ts],
        "a deleted message": [deleted.channel.public_id, deleted.ts],
        "no message": ["C0NOSUCHCHAN", "1700000000.000100"],
    }


def answers(responses) -> set[tuple[int, str]]:
    return {(response.status_code, response.content.decode()) for response in responses}


@pytest.mark.parametrize("endpoint", ["search", "mentions"])
def test_rest_cursors_answer_the_same_for_anything_the_reader_cannot_read(team, client_for, unreadable, endpoint):
    client = client_for(team.member)
    url = f"/api/v1/workspaces/{team.workspace.public_id}/{endpoint}"
    query = {"q": "anything"} if endpoint == "search" else {}
    cursors = [encode_cursor(*parts) for parts in unreadable.values()] + ["not a cursor!"]
    (answer,) = answers(client.get(url, {**query, "cursor": cursor}) for cursor in cursors)
    assert answer[0] == 400
    assert '"invalid_arguments"' in answer[1]


def test_rest_search_score_cursors_answer_the_same_too(team, client_for, unreadable):
    client = client_for(team.member)
    url = f"/api/v1/workspaces/{team.workspace.public_id}/search"
    cursors = [encode_cursor(*parts, "0.5") for parts in unreadable.values()] + ["not a cursor!"]
    (answer,) = answers(client.get(url, {"q": "x", "sort": "score", "cursor": cursor}) for cursor in cursors)
    assert answer[0] == 400


def test_a_readable_message_is_a_cursor(team, client_for):
    readable = message_post(sender=team.owner, channel=team.general, text="hello")
    cursor = encode_cursor(readable.channel.public_id, readable.ts)
    client = client_for(team.member)
    base = f"/api/v1/workspaces/{team.workspace.public_id}"
    assert client.get(f"{base}/search", {"q": "x", "cursor": cursor}).status_code == 200
    assert client.get(f"{base}/mentions", {"cursor": cursor}).status_code == 200


def test_a_guest_cannot_page_from_a_public_channel_they_are_not_in(team, client_for):
    public = message_post(sender=team.owner, channel=team.general, text="hello")
    garbage = client_for(team.guest).get(
        f"/api/v1/workspaces/{team.workspace.public_id}/search", {"q": "x", "cursor": "not a cursor!"}
    )
    named = client_for(team.guest).get(
        f"/api/v1/workspaces/{team.workspace.public_id}/search",
        {"q": "x", "cursor": encode_cursor(public.channel.public_id, public.ts)},
    )
    assert answers([garbage, named]) == answers([garbage])


def test_slack_search_cursors_answer_the_same_for_anything_the_reader_cannot_read(client, team, unreadable):
    raw = token_for(team.member, team.workspace)
    cursors = [encode_cursor(*parts) for parts in unreadable.values()] + ["not a cursor!"]
    responses = [
        client.post("/api/search.messages", {"query": "x", "cursor": c}, HTTP_AUTHORIZATION=f"Bearer {raw}")
        for c in cursors
    ]
    (answer,) = answers(responses)
    assert answer == (200, '{"ok": false, "error": "invalid_cursor"}')
