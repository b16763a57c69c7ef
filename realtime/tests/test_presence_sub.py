"""The `presence_sub` frame: a socket that follows some people gets only their presence changes.

A socket that never sent it (a bot, an RTM client) still gets every change of its workspaces, as before.
"""

import json

import pytest

from realtime import hub as hub_module
from realtime import presence, transport
from realtime.protocol import server_text_frame
from realtime.tests.conftest import run
from realtime.tests.test_presence import presence_of
from workspaces.models import Workspace
from workspaces.services import member_add

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


def _presence_changes(frames: list[dict]) -> list[dict]:
    return [frame for frame in frames if frame.get("type") == "presence_change"]


async def _follow(socket, *people, frame_id: int = 1) -> dict:
    ids = [person if isinstance(person, str) else person.public_id for person in people]
    return await socket.request({"id": frame_id, "type": "presence_sub", "ids": ids})


async def test_the_answer_is_the_followed_peoples_presence_now(team, sockets):
    await sockets.session(team.member)
    watcher = await sockets.session(team.owner)
    reply = await _follow(watcher, team.member, team.other_member)
    assert reply == {
        "ok": True,
        "reply_to": 1,
        "presence": {team.member.public_id: "active", team.other_member.public_id: "away"},
    }


async def test_a_follower_gets_only_its_peoples_part_of_a_batch(team, sockets, monkeypatch, settings):
    monkeypatch.setattr(hub_module, "TICK_SECONDS", 0.1)
    follower = await sockets.session(team.owner)
    never_said = await sockets.session(team.admin)
    follows_nobody = await sockets.session(team.other_member)
    await _follow(follower, team.member)
    await _follow(follows_nobody)
    await follower.drain(0.3)
    await never_said.drain(0.3)
    settings.PRESENCE_BATCH_SECONDS = 3600
    await sockets.session(team.member)
    await sockets.session(team.guest)  # both come online in the same batch
    settings.PRESENCE_BATCH_SECONDS = 0

    whole = (await never_said.recv_until(presence_of(team.guest), presence=True, timeout=5))[-1]
    assert set(whole["users"]) == {team.member.public_id, team.guest.public_id}
    part = (await follower.recv_until(presence_of(team.member), presence=True, timeout=5))[-1]
    assert part == {"type": "presence_change", "presence": "active", "user": team.member.public_id}
    assert not _presence_changes(await follower.drain(0.5)), "nothing of the guest"
    assert not _presence_changes(await follows_nobody.drain(0.2)), "an empty list follows nobody"


async def test_a_follower_gets_the_whole_batch_when_it_follows_everyone_in_it(team, sockets, monkeypatch, settings):
    monkeypatch.setattr(hub_module, "TICK_SECONDS", 0.1)
    follower = await sockets.session(team.owner)
    await _follow(follower, team.owner, team.member, team.guest, team.admin)
    await follower.drain(0.3)
    settings.PRESENCE_BATCH_SECONDS = 3600
    await sockets.session(team.member)
    await sockets.session(team.guest)
    settings.PRESENCE_BATCH_SECONDS = 0
    event = (await follower.recv_until(presence_of(team.guest), presence=True, timeout=5))[-1]
    assert set(event["users"]) == {team.member.public_id, team.guest.public_id}


async def test_people_of_another_workspace_and_unknown_ids_do_not_exist_for_a_follower(team, outsider, sockets):
    await sockets.session(outsider)
    watcher = await sockets.session(team.member)
    reply = await _follow(watcher, outsider, "UNOBODY0000", team.owner)
    assert reply["presence"] == {team.owner.public_id: "away"}


async def test_a_guest_follows_only_the_people_it_shares_a_channel_with(team, sockets):
    await sockets.session(team.member)  # online, in no channel with the guest
    guest = await sockets.session(team.guest)
    reply = await _follow(guest, team.member, team.guest)
    assert reply["presence"] == {team.guest.public_id: "active"}


async def test_a_token_follows_only_people_of_its_own_workspace(team, outsider, sockets):
    """team.owner joins the outsider's workspace too: their browser follows the outsider, their token for
    team's workspace does not."""
    theirs = await run(lambda: Workspace.objects.get(memberships__user=outsider))
    await run(member_add, actor=outsider, workspace=theirs, user=team.owner)
    await sockets.session(outsider)
    browser = await sockets.session(team.owner)
    bot = await sockets.token(team.owner, team.workspace)
    assert (await _follow(browser, outsider))["presence"] == {outsider.public_id: "active"}
    assert (await _follow(bot, outsider, team.member))["presence"] == {team.member.public_id: "away"}


def test_a_batch_is_cut_once_per_part_however_many_sockets_follow_that_part():
    payload = transport.encode_event({"type": "presence_change", "presence": "away", "users": ["U1", "U2", "U3"]})
    batch = presence.FollowedPresence(payload, ["U1", "U2", "U3"])
    assert batch.of(frozenset({"U1", "U2", "U3", "U9"})) is None, "all of it: the shared frame"
    assert batch.of(frozenset({"U9"})) == ()
    part = batch.of(frozenset({"U3", "U1", "U9"}))
    assert json.loads(part[0]["text"]) == {"type": "presence_change", "presence": "away", "users": ["U1", "U3"]}
    assert part[1] == server_text_frame(part[0]["text"])
    assert batch.of(frozenset({"U1", "U3"})) is part
    one = batch.of(frozenset({"U2"}))
    assert json.loads(one[0]["text"]) == {"type": "presence_change", "presence": "away", "user": "U2"}
