"""Membership changes move every open socket's subscriptions at once, without a reconnect.

And the converse: no event of a private channel or of a workspace ever reaches a non-member.
"""

import pytest

from chat.services import (
    channel_archive,
    channel_create,
    channel_invite,
    channel_join,
    channel_kick,
    channel_leave,
    channel_unarchive,
    dm_open,
    message_post,
    reaction_add,
)
from realtime.tests.conftest import run
from workspaces.services import member_deactivate, member_reactivate

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


def is_message(text):
    return lambda frame: frame.get("type") == "message" and frame.get("text") == text


def of_type(kind):
    return lambda frame: frame.get("type") == kind


async def test_joining_a_channel_subscribes_every_open_tab(team, sockets):
    tab, other_tab = await sockets.session(team.member), await sockets.session(team.member)
    await run(channel_join, actor=team.member, channel=team.random)
    for socket in (tab, other_tab):
        joined = (await socket.recv_until(of_type("channel_joined")))[-1]
        assert joined["channel"]["id"] == team.random.public_id
    await run(message_post, sender=team.owner, channel=team.random, text="welcome")
    for socket in (tab, other_tab):
        await socket.recv_until(is_message("welcome"))


async def test_a_kicked_member_gets_nothing_more_from_the_channel(team, sockets):
    channel = await run(channel_create, actor=team.owner, workspace=team.workspace, name="ops")
    await run(channel_invite, actor=team.owner, channel=channel, users=[team.member])
    kicked, staying = await sockets.session(team.member), await sockets.session(team.owner)
    await run(message_post, sender=team.owner, channel=channel, text="before")
    await kicked.recv_until(is_message("before"))
    await run(channel_kick, actor=team.owner, channel=channel, user=team.member)
    frames = await kicked.recv_until(of_type("channel_left"))
    assert [f["type"] for f in frames] == ["member_left_channel", "channel_left"], "each event once"
    message = await run(message_post, sender=team.owner, channel=channel, text="after")
    await run(reaction_add, actor=team.owner, message=message, emoji="eyes")
    await staying.recv_until(of_type("reaction_added"))
    await kicked.nothing()


async def test_leaving_stops_the_channel_on_every_tab(team, sockets):
    await run(channel_join, actor=team.member, channel=team.random)
    tab, other_tab = await sockets.session(team.member), await sockets.session(team.member)
    await run(channel_leave, actor=team.member, channel=team.random)
    for socket in (tab, other_tab):
        await socket.recv_until(of_type("channel_left"))
    await run(message_post, sender=team.owner, channel=team.random, text="gone")
    await tab.nothing()
    await other_tab.nothing()


async def test_an_invited_member_hears_the_private_channel_from_then_on(team, sockets):
    channel = await run(channel_create, actor=team.owner, workspace=team.workspace, name="council", is_private=True)
    socket = await sockets.session(team.member)
    await run(message_post, sender=team.owner, channel=channel, text="before the invitation")
    await socket.nothing()
    await run(channel_invite, actor=team.owner, channel=channel, users=[team.member])
    joined = (await socket.recv_until(of_type("channel_joined")))[-1]
    assert (joined["channel"]["id"], joined["channel"]["last_seq"]) == (channel.public_id, 1)
    await run(message_post, sender=team.owner, channel=channel, text="now you hear it")
    await socket.recv_until(is_message("now you hear it"))


async def test_a_new_dm_is_heard_by_both_people_at_once(team, sockets):
    mine, theirs = await sockets.session(team.member), await sockets.session(team.other_member)
    channel, _ = await run(dm_open, actor=team.member, workspace=team.workspace, users=[team.other_member])
    for socket in (mine, theirs):
        created = (await socket.recv_until(of_type("im_created")))[-1]
        assert created["channel"]["id"] == channel.public_id
    await run(message_post, sender=team.member, channel=channel, text="psst")
    await theirs.recv_until(is_message("psst"))
    await mine.recv_until(is_message("psst"))


async def test_a_channel_you_create_is_heard_at_once(team, sockets):
    socket = await sockets.session(team.member)
    channel = await run(channel_create, actor=team.member, workspace=team.workspace, name="mine", is_private=True)
    joined = (await socket.recv_until(lambda f: f.get("type") == "channel_joined"))[-1]
    assert joined["channel"]["id"] == channel.public_id
    await run(message_post, sender=team.member, channel=channel, text="first words")
    await socket.recv_until(is_message("first words"))


async def test_archive_and_unarchive_reach_members_who_keep_the_channel(team, sockets):
    channel = await run(channel_create, actor=team.owner, workspace=team.workspace, name="project", is_private=True)
    await run(channel_invite, actor=team.owner, channel=channel, users=[team.member])
    socket = await sockets.session(team.member)
    await run(channel_archive, actor=team.owner, channel=channel)
    archived = (await socket.recv_until(of_type("channel_archive")))[-1]
    assert (archived["channel"], archived["user"]) == (channel.public_id, team.owner.public_id)
    await run(channel_unarchive, actor=team.owner, channel=channel)
    await socket.recv_until(of_type("channel_unarchive"))
    await run(message_post, sender=team.owner, channel=channel, text="back in business")
    await socket.recv_until(is_message("back in business"))


async def test_no_event_of_a_private_channel_reaches_a_non_member(team, sockets):
    channel = await run(channel_create, actor=team.owner, workspace=team.workspace, name="board", is_private=True)
    outsider_tab = await sockets.session(team.member)
    guest_tab = await sockets.session(team.guest)
    insider_tab = await sockets.session(team.owner)
    message = await run(message_post, sender=team.owner, channel=channel, text="confidential")
    await run(reaction_add, actor=team.owner, message=message, emoji="lock")
    await insider_tab.recv_until(of_type("reaction_added"))
    await outsider_tab.nothing()
    await guest_tab.nothing()


async def test_guests_hear_nothing_of_public_channels_they_are_not_in(team, sockets):
    guest_tab = await sockets.session(team.guest)
    member_tab = await sockets.session(team.member)
    channel = await run(channel_create, actor=team.owner, workspace=team.workspace, name="open-plan")
    await member_tab.recv_until(of_type("channel_created"))
    await run(channel_archive, actor=team.owner, channel=channel)
    await member_tab.recv_until(of_type("channel_archive"))
    await guest_tab.nothing()


async def test_a_workspace_you_leave_goes_quiet_and_comes_back_on_reactivation(team, outsider, sockets):
    from workspaces.models import Membership
    from workspaces.services import member_add

    other_workspace = await run(lambda: Membership.objects.get(user=outsider).workspace)
    await run(member_add, actor=outsider, workspace=other_workspace, user=team.member)
    socket = await sockets.session(team.member)
    await run(member_deactivate, actor=team.owner, workspace=team.workspace, user=team.member)
    await run(message_post, sender=team.owner, channel=team.general, text="not for you")
    other_general = await run(lambda: other_workspace.channels.get(name="general"))
    await run(message_post, sender=outsider, channel=other_general, text="still here")
    frames = await socket.recv_until(is_message("still here"))
    assert not [f for f in frames if f.get("text") == "not for you"]
    await run(member_reactivate, actor=team.owner, workspace=team.workspace, user=team.member)
    await run(message_post, sender=team.owner, channel=team.general, text="welcome back")
    await socket.recv_until(is_message("welcome back"))
