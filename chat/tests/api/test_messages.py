"""Messages over the API: keyset history (before, after, around), post, edit, delete, threads, read markers."""

from __future__ import annotations

import pytest

from chat.models import ChannelMember, Message
from chat.services import message_post
from slackclone.testing.api import error_code


def _history(client, channel, **params):
    return client.get(f"/api/v1/channels/{channel.public_id}/messages", params)


@pytest.fixture
def twelve(team):
    """#general with messages 1..12 from the owner."""
    return [message_post(sender=team.owner, channel=team.general, text=f"m{i}") for i in range(1, 13)]


def test_history_is_newest_first_and_pages_backwards_by_seq(team, twelve, client_for):
    client = client_for(team.member)
    first = _history(client, team.general, limit=5).json()
    assert [m["seq"] for m in first["messages"]] == [12, 11, 10, 9, 8]
    assert (first["has_more"], first["previous"]) == (True, None)
    second = client.get(first["next"]).json()
    assert [m["seq"] for m in second["messages"]] == [7, 6, 5, 4, 3]
    third = client.get(second["next"]).json()
    assert [m["seq"] for m in third["messages"]] == [2, 1]
    assert (third["has_more"], third["next"]) == (False, None)
    back = client.get(third["previous"]).json()
    assert [m["seq"] for m in back["messages"]] == [3, 4, 5, 6, 7]


def test_history_after_reads_forwards(team, twelve, client_for):
    page = _history(client_for(team.member), team.general, after=9).json()
    assert [m["seq"] for m in page["messages"]] == [10, 11, 12]
    assert page["has_more"] is False


def test_history_around_centres_on_a_seq(team, twelve, client_for):
    page = _history(client_for(team.member), team.general, around=6, limit=4).json()
    assert [m["seq"] for m in page["messages"]] == [8, 7, 6, 5]
    assert page["has_more"] is True


def test_history_around_cannot_combine_with_before(team, client_for):
    response = _history(client_for(team.member), team.general, around=6, before=3)
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"around": "invalid"}


@pytest.mark.parametrize("limit", [0, 201, -1])
def test_history_limit_is_1_to_200(team, client_for, limit):
    response = _history(client_for(team.member), team.general, limit=limit)
    assert response.status_code == 400


def test_history_hides_thread_replies_unless_asked(team, client_for):
    root = message_post(sender=team.owner, channel=team.general, text="root")
    message_post(sender=team.member, channel=team.general, text="reply", thread_ts=root.ts)
    client = client_for(team.member)
    assert [m["text"] for m in _history(client, team.general).json()["messages"]] == ["root"]
    with_replies = _history(client, team.general, include_replies="true").json()["messages"]
    assert [m["text"] for m in with_replies] == ["reply", "root"]
    assert with_replies[1]["reply_count"] == 1


def test_post_message(team, client_for):
    response = client_for(team.member).post(
        f"/api/v1/channels/{team.general.public_id}/messages", {"text": "hello", "client_msg_id": "abc"}
    )
    assert response.status_code == 201
    body = response.json()["message"]
    assert (body["text"], body["user"], body["seq"], body["client_msg_id"]) == (
        "hello",
        team.member.public_id,
        1,
        "abc",
    )


def test_post_with_the_same_client_msg_id_posts_once(team, client_for):
    client = client_for(team.member)
    url = f"/api/v1/channels/{team.general.public_id}/messages"
    first = client.post(url, {"text": "hello", "client_msg_id": "once"})
    retry = client.post(url, {"text": "hello", "client_msg_id": "once"})
    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.json()["message"]["ts"] == retry.json()["message"]["ts"]
    assert Message.objects.filter(channel=team.general).count() == 1


@pytest.mark.parametrize(("text", "code"), [("", "no_text"), ("   ", "no_text"), ("x" * 40_001, "msg_too_long")])
def test_post_bad_text(team, client_for, text, code):
    response = client_for(team.member).post(f"/api/v1/channels/{team.general.public_id}/messages", {"text": text})
    assert (response.status_code, error_code(response)) == (400, code)


def test_post_without_text_field_is_400(team, client_for):
    response = client_for(team.member).post(f"/api/v1/channels/{team.general.public_id}/messages", {})
    assert response.json()["error"]["fields"] == {"text": "required"}


def test_post_in_a_public_channel_you_are_not_in_is_403_not_in_channel(team, client_for):
    response = client_for(team.member).post(f"/api/v1/channels/{team.random.public_id}/messages", {"text": "hi"})
    assert (response.status_code, error_code(response)) == (403, "not_in_channel")


def test_thread_reply_and_replies_page(team, client_for):
    root = message_post(sender=team.owner, channel=team.general, text="root")
    client = client_for(team.member)
    url = f"/api/v1/channels/{team.general.public_id}/messages"
    for i in range(3):
        assert client.post(url, {"text": f"r{i}", "thread_ts": root.ts}).status_code == 201
    first = client.get(f"{url}/{root.ts}/replies", {"limit": 2}).json()
    assert first["root"]["reply_count"] == 3
    assert [m["text"] for m in first["replies"]] == ["r0", "r1"]
    rest = client.get(first["next"]).json()
    assert [m["text"] for m in rest["replies"]] == ["r2"]
    assert rest["has_more"] is False


def test_replies_of_a_reply_show_its_thread(team, client_for):
    root = message_post(sender=team.owner, channel=team.general, text="root")
    reply = message_post(sender=team.owner, channel=team.general, text="reply", thread_ts=root.ts)
    body = client_for(team.member).get(f"/api/v1/channels/{team.general.public_id}/messages/{reply.ts}/replies").json()
    assert body["root"]["ts"] == root.ts


def test_reply_to_unknown_thread_is_404_thread_not_found(team, client_for):
    response = client_for(team.member).post(
        f"/api/v1/channels/{team.general.public_id}/messages", {"text": "x", "thread_ts": "1.000001"}
    )
    assert (response.status_code, error_code(response)) == (404, "thread_not_found")


def test_get_one_message(team, client_for):
    message = message_post(sender=team.owner, channel=team.general, text="one")
    response = client_for(team.member).get(f"/api/v1/channels/{team.general.public_id}/messages/{message.ts}")
    assert response.json()["message"]["text"] == "one"


def test_unknown_message_is_404_message_not_found(team, client_for):
    response = client_for(team.member).get(f"/api/v1/channels/{team.general.public_id}/messages/1.000001")
    assert (response.status_code, error_code(response)) == (404, "message_not_found")


def test_edit_own_message(team, client_for):
    message = message_post(sender=team.member, channel=team.general, text="typo")
    response = client_for(team.member).patch(
        f"/api/v1/channels/{team.general.public_id}/messages/{message.ts}", {"text": "fixed"}
    )
    assert response.status_code == 200
    assert response.json()["message"]["text"] == "fixed"
    assert response.json()["message"]["edited"]["user"] == team.member.public_id


def test_edit_someone_elses_message_is_403(team, client_for):
    message = message_post(sender=team.owner, channel=team.general, text="mine")
    response = client_for(team.member).patch(
        f"/api/v1/channels/{team.general.public_id}/messages/{message.ts}", {"text": "yours"}
    )
    assert (response.status_code, error_code(response)) == (403, "cant_update_message")


def test_delete_leaves_a_tombstone(team, client_for):
    message = message_post(sender=team.member, channel=team.general, text="oops")
    client = client_for(team.member)
    url = f"/api/v1/channels/{team.general.public_id}/messages/{message.ts}"
    assert client.delete(url).json() == {"ok": True}
    body = client.get(url).json()["message"]
    assert (body["deleted"], body["text"], body["subtype"]) == (True, "", "tombstone")
    again = client.delete(url)
    assert (again.status_code, error_code(again)) == (404, "message_not_found")


def test_admin_may_delete_anyones_message_but_a_member_may_not(team, client_for):
    message = message_post(sender=team.member, channel=team.general, text="x")
    url = f"/api/v1/channels/{team.general.public_id}/messages/{message.ts}"
    assert error_code(client_for(team.other_member).delete(url)) == "cant_delete_message"
    assert client_for(team.admin).delete(url).status_code == 200


def test_mark_read_moves_the_marker_and_reports_unread(team, twelve, client_for):
    client = client_for(team.member)
    response = client.post(f"/api/v1/channels/{team.general.public_id}/read", {"seq": 10})
    assert response.json() == {"channel": team.general.public_id, "last_read_seq": 10, "unread_count": 2}
    assert ChannelMember.objects.get(channel=team.general, user=team.member).last_read_seq == 10


def test_mark_read_past_the_end_is_clamped(team, twelve, client_for):
    response = client_for(team.member).post(f"/api/v1/channels/{team.general.public_id}/read", {"seq": 999})
    assert response.json()["last_read_seq"] == 12


def test_mark_read_with_a_negative_seq_is_400(team, client_for):
    response = client_for(team.member).post(f"/api/v1/channels/{team.general.public_id}/read", {"seq": -1})
    assert response.status_code == 400


SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*Deploy* ready"}}


def test_post_with_blocks_keeps_them_and_history_returns_them(team, client_for):
    client = client_for(team.member)
    url = f"/api/v1/channels/{team.general.public_id}/messages"
    attachment = {"color": "good", "title": "Build 42"}
    posted = client.post(url, {"text": "", "blocks": [SECTION], "attachments": [attachment]}, format="json")
    assert posted.status_code == 201
    message = posted.json()["message"]
    assert message["text"] == "*Deploy* ready\nBuild 42"
    assert message["blocks"][0]["text"] == SECTION["text"]
    assert message["attachments"] == [attachment]
    history = client.get(url).json()["messages"]
    assert history[0]["blocks"] == message["blocks"]


def test_post_with_invalid_blocks_names_the_pointer_and_writes_nothing(team, client_for):
    url = f"/api/v1/channels/{team.general.public_id}/messages"
    bad = {"type": "section", "text": {"type": "mrkdwn", "text": ""}}
    response = client_for(team.member).post(url, {"text": "x", "blocks": [SECTION, bad]}, format="json")
    assert (response.status_code, error_code(response)) == (400, "invalid_blocks")
    assert response.json()["error"]["fields"] == {"pointer": "/blocks/1/text/text"}
    assert not Message.objects.filter(channel=team.general).exists()


def test_edit_keeps_blocks_left_out_and_an_empty_list_removes_them(team, client_for):
    client = client_for(team.member)
    url = f"/api/v1/channels/{team.general.public_id}/messages"
    ts = client.post(url, {"text": "fallback", "blocks": [SECTION]}, format="json").json()["message"]["ts"]
    kept = client.patch(f"{url}/{ts}", {"text": "new fallback"}, format="json").json()["message"]
    assert (kept["text"], len(kept["blocks"])) == ("new fallback", 1)
    removed = client.patch(f"{url}/{ts}", {"text": "plain now", "blocks": []}, format="json").json()["message"]
    assert "blocks" not in removed


def test_blocks_go_when_the_message_is_deleted(team, client_for):
    client = client_for(team.member)
    url = f"/api/v1/channels/{team.general.public_id}/messages"
    ts = client.post(url, {"text": "x", "blocks": [SECTION]}, format="json").json()["message"]["ts"]
    client.delete(f"{url}/{ts}")
    assert Message.objects.get(channel=team.general, ts=ts).blocks == []
