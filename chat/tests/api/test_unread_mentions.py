"""Unread and mention counts in one call, and the mentions inbox."""

from __future__ import annotations

from chat.services import channel_create, channel_mark_read, message_delete, message_post


def test_unread_counts_for_all_my_channels(team, client_for):
    project = channel_create(actor=team.owner, workspace=team.workspace, name="project")
    from chat.services import channel_invite

    channel_invite(actor=team.owner, channel=project, users=[team.member])
    message_post(sender=team.owner, channel=team.general, text="a")
    message_post(sender=team.owner, channel=project, text=f"<@{team.member.public_id}> b")
    message_post(sender=team.owner, channel=project, text="<!channel> c")
    message_post(sender=team.member, channel=project, text="my own")
    body = client_for(team.member).get(f"/api/v1/workspaces/{team.workspace.public_id}/unread").json()
    by_id = {c["channel"]: c for c in body["channels"]}
    assert (by_id[team.general.public_id]["unread_count"], by_id[team.general.public_id]["mention_count"]) == (1, 0)
    # Posting marks the channel read up to the poster's message.
    assert (by_id[project.public_id]["unread_count"], by_id[project.public_id]["mention_count"]) == (0, 0)
    assert (body["total_unread"], body["total_mentions"]) == (1, 0)
    assert set(by_id) == {team.general.public_id, project.public_id}


def test_unread_counts_after_marking(team, client_for):
    for i in range(3):
        message_post(sender=team.owner, channel=team.general, text=f"<@{team.member.public_id}> {i}")
    channel_mark_read(actor=team.member, channel=team.general, seq=1)
    body = client_for(team.member).get(f"/api/v1/workspaces/{team.workspace.public_id}/unread").json()
    assert body["channels"][0] | {} == {
        "channel": team.general.public_id,
        "unread_count": 2,
        "mention_count": 2,
        "last_read_seq": 1,
        "last_seq": 3,
    }


def test_mentions_inbox_newest_first_in_pages(team, client_for):
    texts = [f"<@{team.member.public_id}> {i}" for i in range(5)]
    for text in texts:
        message_post(sender=team.owner, channel=team.general, text=text)
    message_post(sender=team.owner, channel=team.general, text="not a mention")
    gone = message_post(sender=team.owner, channel=team.general, text=f"<@{team.member.public_id}> gone")
    message_delete(actor=team.owner, message=gone)
    client = client_for(team.member)
    first = client.get(f"/api/v1/workspaces/{team.workspace.public_id}/mentions", {"limit": 3}).json()
    second = client.get(first["next"]).json()
    assert [m["text"] for m in first["messages"] + second["messages"]] == texts[::-1]
    assert second["next"] is None


def test_mentions_in_channels_i_left_are_not_in_the_inbox(team, client_for):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="temp", is_private=True)
    from chat.services import channel_invite, channel_leave

    channel_invite(actor=team.member, channel=channel, users=[team.owner])
    message_post(sender=team.owner, channel=channel, text=f"<@{team.member.public_id}> secret")
    channel_leave(actor=team.member, channel=channel)
    body = client_for(team.member).get(f"/api/v1/workspaces/{team.workspace.public_id}/mentions").json()
    assert body["messages"] == []


def test_the_sql_and_orm_counts_agree(team):
    from chat.models import ChannelMember
    from chat.selectors.unread import _counts_orm, _counts_postgres

    root = message_post(sender=team.owner, channel=team.general, text=f"<@{team.member.public_id}> root")
    message_post(sender=team.owner, channel=team.general, text="reply", thread_ts=root.ts)
    message_post(sender=team.owner, channel=team.general, text="<!here> all", thread_ts=root.ts, reply_broadcast=True)
    gone = message_post(sender=team.owner, channel=team.general, text=f"<@{team.member.public_id}> gone")
    message_delete(actor=team.owner, message=gone)
    message_post(sender=team.member, channel=team.general, text=f"<@{team.member.public_id}> self")
    channel_mark_read(actor=team.member, channel=team.general, seq=0)
    behind = list(ChannelMember.objects.filter(user=team.member).values_list("channel_id", "last_read_seq"))
    assert _counts_postgres(team.member, behind) == _counts_orm(team.member, behind)
    assert sorted(_counts_postgres(team.member, behind)) == [(team.general.pk, 2, 2)]
