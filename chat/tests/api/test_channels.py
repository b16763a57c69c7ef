"""Channels over the API: mine with counts, browse, create, detail, update, archive, join, leave, members, DMs."""

from __future__ import annotations

from chat.models import Channel, ChannelMember
from chat.services import channel_create, channel_invite, message_post
from slackclone.testing.api import error_code
from slackclone.testing.factories import UserFactory, add_member


def _channels_url(team) -> str:
    return f"/api/v1/workspaces/{team.workspace.public_id}/channels"


def test_my_channels_carry_unread_and_mention_counts(team, client_for):
    message_post(sender=team.owner, channel=team.general, text="hello all")
    message_post(sender=team.owner, channel=team.general, text=f"<@{team.member.public_id}> look")
    response = client_for(team.member).get(_channels_url(team))
    assert response.status_code == 200
    general = next(c for c in response.json()["channels"] if c["id"] == team.general.public_id)
    assert (general["unread_count"], general["mention_count"], general["is_member"]) == (2, 1, True)
    assert general["last_seq"] == 2


def _prefs_url(channel) -> str:
    return f"/api/v1/channels/{channel.public_id}/prefs"


def test_my_channels_say_which_ones_i_muted_and_what_notifies_me(team, client_for):
    muting = client_for(team.member).patch(_prefs_url(team.general), {"muted": True, "notify_level": "all"})
    assert muting.status_code == 200, muting.content
    channels = client_for(team.member).get(_channels_url(team)).json()["channels"]
    assert {c["id"]: (c["muted"], c["notify_level"]) for c in channels} == {team.general.public_id: (True, "all")}
    assert {c["id"]: c["muted"] for c in client_for(team.owner).get(_channels_url(team)).json()["channels"]} == {
        team.general.public_id: False,
        team.random.public_id: False,
    }


def test_channel_prefs_are_read_and_changed_one_field_at_a_time(team, client_for):
    client = client_for(team.member)
    assert client.get(_prefs_url(team.general)).json() == {
        "channel": team.general.public_id,
        "muted": False,
        "notify_level": "mentions",
    }
    assert client.patch(_prefs_url(team.general), {"muted": True}).json()["notify_level"] == "mentions"
    changed = client.patch(_prefs_url(team.general), {"notify_level": "nothing"}).json()
    assert (changed["muted"], changed["notify_level"]) == (True, "nothing")


def test_bad_channel_prefs_name_the_field_and_change_nothing(team, client_for):
    client = client_for(team.member)
    response = client.patch(_prefs_url(team.general), {"notify_level": "loud"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_arguments"
    assert "notify_level" in response.json()["error"]["fields"]
    empty = client.patch(_prefs_url(team.general), {})
    assert (empty.status_code, error_code(empty)) == (400, "invalid_arguments")
    assert empty.json()["error"]["fields"] == {"muted": "required", "notify_level": "required"}
    assert client.get(_prefs_url(team.general)).json()["notify_level"] == "mentions"


def test_prefs_of_a_channel_you_are_not_in(team, client_for):
    secret = channel_create(actor=team.owner, workspace=team.workspace, name="secret", is_private=True)
    client = client_for(team.member)
    hidden = client.patch(_prefs_url(secret), {"muted": True})
    assert (hidden.status_code, error_code(hidden)) == (404, "channel_not_found")
    public = client.get(_prefs_url(team.random))
    assert (public.status_code, error_code(public)) == (403, "not_in_channel")


def test_my_channels_lists_only_mine_including_dms(team, client_for):
    client = client_for(team.member)
    dm = client.post(f"/api/v1/workspaces/{team.workspace.public_id}/dms", {"users": [team.owner.public_id]})
    assert dm.status_code == 201
    ids = {c["id"] for c in client.get(_channels_url(team)).json()["channels"]}
    assert ids == {team.general.public_id, dm.json()["channel"]["id"]}


def test_create_channel_makes_the_creator_a_member(team, client_for):
    response = client_for(team.member).post(_channels_url(team), {"name": "design", "topic": "pixels"})
    assert response.status_code == 201
    body = response.json()["channel"]
    assert (body["name"], body["topic"]["value"], body["is_private"]) == ("design", "pixels", False)
    assert ChannelMember.objects.filter(channel__public_id=body["id"], user=team.member).exists()


def test_create_private_channel_gets_a_g_id(team, client_for):
    response = client_for(team.member).post(_channels_url(team), {"name": "secret", "is_private": True})
    assert response.status_code == 201
    assert response.json()["channel"]["id"].startswith("G")


def test_create_channel_with_a_bad_name_is_400_invalid_name(team, client_for):
    response = client_for(team.member).post(_channels_url(team), {"name": "Bad Name!"})
    assert response.status_code == 400
    assert error_code(response) == "invalid_name"


def test_create_channel_missing_name_is_400_with_field(team, client_for):
    response = client_for(team.member).post(_channels_url(team), {})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"name": "required"}


def test_guest_cannot_create_channels(team, client_for):
    response = client_for(team.guest).post(_channels_url(team), {"name": "mine"})
    assert response.status_code == 403
    assert error_code(response) == "restricted_action"


def test_browse_lists_public_channels_by_name_in_keyset_pages(team, client_for):
    for name in ["alpha", "beta", "gamma"]:
        channel_create(actor=team.owner, workspace=team.workspace, name=name)
    channel_create(actor=team.owner, workspace=team.workspace, name="hidden", is_private=True)
    client = client_for(team.member)
    url = f"/api/v1/workspaces/{team.workspace.public_id}/channels/browse"
    first = client.get(url, {"limit": 2}).json()
    assert [c["name"] for c in first["channels"]] == ["alpha", "beta"]
    rest = client.get(first["next"]).json()
    assert [c["name"] for c in rest["channels"]] == ["gamma", "general"]
    last = client.get(rest["next"]).json()
    assert [c["name"] for c in last["channels"]] == ["random"]
    assert last["next"] is None
    assert [c["is_member"] for c in rest["channels"]] == [False, True]


def test_guest_cannot_browse(team, client_for):
    response = client_for(team.guest).get(f"/api/v1/workspaces/{team.workspace.public_id}/channels/browse")
    assert response.status_code == 403


def test_browse_with_a_forged_cursor_is_400(team, client_for):
    response = client_for(team.member).get(
        f"/api/v1/workspaces/{team.workspace.public_id}/channels/browse", {"cursor": "!!!"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"cursor": "invalid"}


def test_channel_detail(team, client_for):
    response = client_for(team.member).get(f"/api/v1/channels/{team.random.public_id}")
    assert response.status_code == 200
    assert response.json()["channel"]["is_member"] is False


def test_update_changes_name_topic_and_purpose_together(team, client_for):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="old")
    response = client_for(team.member).patch(
        f"/api/v1/channels/{channel.public_id}", {"name": "new", "topic": "t", "purpose": "p"}
    )
    assert response.status_code == 200
    channel.refresh_from_db()
    assert (channel.name, channel.topic, channel.purpose) == ("new", "t", "p")


def test_update_is_all_or_nothing(team, client_for):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="old")
    response = client_for(team.member).patch(
        f"/api/v1/channels/{channel.public_id}", {"name": "new", "topic": "x" * 251}
    )
    assert response.status_code == 400
    channel.refresh_from_db()
    assert channel.name == "old"


def test_rename_to_a_taken_name_is_409(team, client_for):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="mine")
    response = client_for(team.member).patch(f"/api/v1/channels/{channel.public_id}", {"name": "random"})
    assert response.status_code == 409
    assert error_code(response) == "name_taken"


def test_archive_and_unarchive(team, client_for):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="project")
    client = client_for(team.member)
    archived = client.post(f"/api/v1/channels/{channel.public_id}/archive")
    assert archived.status_code == 200
    assert archived.json()["channel"]["is_archived"] is True
    again = client.post(f"/api/v1/channels/{channel.public_id}/archive")
    assert (again.status_code, error_code(again)) == (403, "is_archived")
    post = client.post(f"/api/v1/channels/{channel.public_id}/messages", {"text": "hi"})
    assert error_code(post) == "is_archived"
    assert client.post(f"/api/v1/channels/{channel.public_id}/unarchive").json()["channel"]["is_archived"] is False
    not_archived = client.post(f"/api/v1/channels/{channel.public_id}/unarchive")
    assert (not_archived.status_code, error_code(not_archived)) == (409, "not_archived")


def test_general_cannot_be_archived(team, client_for):
    response = client_for(team.owner).post(f"/api/v1/channels/{team.general.public_id}/archive")
    assert error_code(response) == "cant_archive_general"


def test_join_and_leave(team, client_for):
    client = client_for(team.member)
    assert client.post(f"/api/v1/channels/{team.random.public_id}/join").status_code == 200
    assert ChannelMember.objects.filter(channel=team.random, user=team.member).exists()
    assert client.post(f"/api/v1/channels/{team.random.public_id}/leave").json() == {"ok": True}
    assert not ChannelMember.objects.filter(channel=team.random, user=team.member).exists()


def test_leave_general_is_refused(team, client_for):
    response = client_for(team.member).post(f"/api/v1/channels/{team.general.public_id}/leave")
    assert error_code(response) == "cant_leave_general"


def test_leave_a_channel_you_are_not_in_is_403_not_in_channel(team, client_for):
    response = client_for(team.member).post(f"/api/v1/channels/{team.random.public_id}/leave")
    assert (response.status_code, error_code(response)) == (403, "not_in_channel")


def test_members_are_listed_in_keyset_pages(team, client_for):
    client = client_for(team.member)
    url = f"/api/v1/channels/{team.general.public_id}/members"
    first = client.get(url, {"limit": 2}).json()
    everyone = [m["id"] for m in first["members"]]
    next_url = first["next"]
    while next_url:
        page = client.get(next_url).json()
        everyone += [m["id"] for m in page["members"]]
        next_url = page["next"]
    expected = sorted(ChannelMember.objects.filter(channel=team.general).values_list("user__public_id", flat=True))
    assert everyone == expected


def test_invite_adds_people(team, client_for):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="crew", is_private=True)
    response = client_for(team.member).post(
        f"/api/v1/channels/{channel.public_id}/members", {"users": [team.other_member.public_id, team.guest.public_id]}
    )
    assert response.status_code == 200
    assert set(ChannelMember.objects.filter(channel=channel).values_list("user", flat=True)) == {
        team.member.pk,
        team.other_member.pk,
        team.guest.pk,
    }


def test_invite_someone_from_another_workspace_is_404_user_not_found(team, outsider, client_for):
    response = client_for(team.member).post(
        f"/api/v1/channels/{team.general.public_id}/members", {"users": [outsider.public_id]}
    )
    assert (response.status_code, error_code(response)) == (404, "user_not_found")


def test_invite_with_an_unknown_id_is_404(team, client_for):
    response = client_for(team.member).post(
        f"/api/v1/channels/{team.general.public_id}/members", {"users": ["UNOBODY00"]}
    )
    assert response.json()["error"]["fields"] == {"users": "UNOBODY00"}


def test_invite_nobody_is_400(team, client_for):
    response = client_for(team.member).post(f"/api/v1/channels/{team.general.public_id}/members", {"users": []})
    assert response.status_code == 400


def test_kick_by_the_creator(team, client_for):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="crew")
    channel_invite(actor=team.member, channel=channel, users=[team.other_member])
    response = client_for(team.member).delete(
        f"/api/v1/channels/{channel.public_id}/members/{team.other_member.public_id}"
    )
    assert response.status_code == 200
    assert not ChannelMember.objects.filter(channel=channel, user=team.other_member).exists()


def test_kick_by_an_ordinary_member_is_403(team, client_for):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="crew")
    channel_invite(actor=team.member, channel=channel, users=[team.other_member])
    response = client_for(team.other_member).delete(
        f"/api/v1/channels/{channel.public_id}/members/{team.member.public_id}"
    )
    assert (response.status_code, error_code(response)) == (403, "restricted_action")


def test_kick_unknown_user_is_404(team, client_for):
    response = client_for(team.owner).delete(f"/api/v1/channels/{team.random.public_id}/members/UNOBODY00")
    assert (response.status_code, error_code(response)) == (404, "user_not_found")


def test_dm_open_returns_the_same_channel_every_time(team, client_for):
    url = f"/api/v1/workspaces/{team.workspace.public_id}/dms"
    first = client_for(team.member).post(url, {"users": [team.owner.public_id]})
    second = client_for(team.owner).post(url, {"users": [team.member.public_id]})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["channel"]["id"] == second.json()["channel"]["id"]
    assert first.json()["channel"]["is_im"] is True
    assert sorted(first.json()["channel"]["members"]) == sorted([team.member.public_id, team.owner.public_id])


def test_group_dm(team, client_for):
    response = client_for(team.member).post(
        f"/api/v1/workspaces/{team.workspace.public_id}/dms", {"users": [team.owner.public_id, team.guest.public_id]}
    )
    assert response.json()["channel"]["is_mpim"] is True
    assert Channel.objects.get(public_id=response.json()["channel"]["id"]).memberships.count() == 3


def test_dm_with_someone_outside_the_workspace_is_404(team, outsider, client_for):
    response = client_for(team.member).post(
        f"/api/v1/workspaces/{team.workspace.public_id}/dms", {"users": [outsider.public_id]}
    )
    assert (response.status_code, error_code(response)) == (404, "user_not_found")


def test_dm_with_too_many_people_is_400(team, client_for):
    people = [add_member(team.workspace, UserFactory()).public_id for _ in range(9)]
    response = client_for(team.member).post(f"/api/v1/workspaces/{team.workspace.public_id}/dms", {"users": people})
    assert (response.status_code, error_code(response)) == (400, "invalid_arguments")
