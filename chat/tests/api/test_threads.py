"""The Threads view through the REST API: the list with unread counts and its pages, follow, unfollow and read,
the notification preference; only threads one can read, in one's own workspace."""

from __future__ import annotations

import pytest

from chat.services import channel_create, message_post
from slackclone.testing.api import error_code
from slackclone.testing.factories import make_team

pytestmark = pytest.mark.django_db


def base(team) -> str:
    return f"/api/v1/workspaces/{team.workspace.public_id}/threads"


def thread_url(team, message, action: str = "follow") -> str:
    return f"{base(team)}/{message.channel.public_id}/{message.ts}/{action}"


def _thread(team, text="plan?", channel=None):
    channel = channel or team.general
    root = message_post(sender=team.member, channel=channel, text=text)
    message_post(sender=team.owner, channel=channel, text="reply", thread_ts=root.ts)
    return root


def test_the_list_has_my_threads_with_unread_counts_and_the_badge(team, client_for):
    root = _thread(team)
    body = client_for(team.member).get(base(team)).json()
    assert body["unread_threads"] == 1
    assert body["next"] is None
    (thread,) = body["threads"]
    assert thread["channel"] == team.general.public_id
    assert thread["root"]["ts"] == root.ts
    assert thread["root"]["reply_count"] == 1
    assert [reply["text"] for reply in thread["latest_replies"]] == ["reply"]
    assert thread["unread_count"] == 1
    assert client_for(team.member).get(f"{base(team)}/unread").json() == {"unread_threads": 1}


def test_the_list_pages_by_cursor(team, client_for):
    roots = [_thread(team, f"t{n}") for n in range(3)]
    client = client_for(team.member)
    first = client.get(base(team), {"limit": 2}).json()
    assert [t["root"]["ts"] for t in first["threads"]] == [roots[2].ts, roots[1].ts]
    second = client.get(first["next"]).json()
    assert [t["root"]["ts"] for t in second["threads"]] == [roots[0].ts]
    assert second["next"] is None


def test_a_cursor_not_handed_out_is_invalid_arguments(team, client_for):
    response = client_for(team.member).get(base(team), {"cursor": "bm9wZQ"})
    assert (response.status_code, error_code(response)) == (400, "invalid_arguments")


def test_read_follow_and_unfollow(team, client_for):
    root = _thread(team)
    client = client_for(team.member)
    read = client.post(thread_url(team, root, "read"))
    assert read.json()["following"] is True
    assert client.get(f"{base(team)}/unread").json() == {"unread_threads": 0}
    gone = client.delete(thread_url(team, root)).json()
    assert (gone["channel"], gone["thread_ts"], gone["following"]) == (team.general.public_id, root.ts, False)
    assert client.get(base(team)).json()["threads"] == []
    assert client.get(thread_url(team, root)).json()["following"] is False
    assert client.post(thread_url(team, root)).json()["following"] is True
    assert len(client.get(base(team)).json()["threads"]) == 1


def test_an_unknown_thread_is_thread_not_found(team, client_for):
    response = client_for(team.member).post(f"{base(team)}/{team.general.public_id}/1.000001/follow")
    assert (response.status_code, error_code(response)) == (404, "thread_not_found")


def test_a_private_channel_one_is_not_in_does_not_exist(team, client_for):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="secret", is_private=True)
    root = message_post(sender=team.member, channel=channel, text="psst")
    client = client_for(team.other_member)
    for response in (
        client.post(thread_url(team, root)),
        client.delete(thread_url(team, root)),
        client.get(thread_url(team, root)),
        client.post(thread_url(team, root, "read")),
    ):
        assert (response.status_code, error_code(response)) == (404, "channel_not_found")


def test_a_guest_sees_only_threads_of_their_channels(team, client_for):
    root = _thread(team)
    client = client_for(team.guest)
    response = client.post(thread_url(team, root))
    assert (response.status_code, error_code(response)) == (404, "channel_not_found")
    assert client.get(base(team)).json()["threads"] == []


def test_another_workspace_cannot_reach_the_threads(team, client_for):
    other = make_team()
    root = _thread(team)
    client = client_for(other.member)
    listing = client.get(base(team))
    assert (listing.status_code, error_code(listing)) == (404, "workspace_not_found")
    follow = client.post(thread_url(team, root))
    assert (follow.status_code, error_code(follow)) == (404, "workspace_not_found")
    # Their own workspace's URL with this workspace's channel: the channel does not exist for them.
    crossed = client.post(f"{base(other)}/{team.general.public_id}/{root.ts}/follow")
    assert (crossed.status_code, error_code(crossed)) == (404, "channel_not_found")


def test_a_token_acts_only_in_its_own_workspace(team, client_for):
    other = make_team()
    root = _thread(team)
    token = client_for(team.member, team.workspace)
    assert len(token.get(base(team)).json()["threads"]) == 1
    foreign = client_for(other.member, other.workspace).post(thread_url(team, root))
    assert (foreign.status_code, error_code(foreign)) == (404, "workspace_not_found")


def test_the_new_replies_preference(team, client_for):
    client = client_for(team.member)
    url = f"{base(team)}/preferences"
    assert client.get(url).json() == {"new_replies": True}
    assert client.put(url, {"new_replies": False}, format="json").json() == {"new_replies": False}
    assert client.get(url).json() == {"new_replies": False}
    bad = client.put(url, {"new_replies": "sometimes"}, format="json")
    assert (bad.status_code, error_code(bad)) == (400, "invalid_arguments")
    assert client_for(team.other_member).get(url).json() == {"new_replies": True}, "a preference is its owner's"
