"""The `view` frame: a large channel's reactions go live only to the sockets showing it.

Every socket that never said what it shows (a bot, an RTM client) still gets them all, and every other
event (messages above all) reaches every member whatever they view.
"""

import pytest

from chat.services import channel_create, dm_open, message_post, reaction_add
from realtime.tests.conftest import run
from slackclone.testing.factories import workspace_with_owner
from workspaces.services import member_add

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


def _reacted(frame: dict) -> bool:
    return frame.get("type") == "reaction_added"


async def _view(socket, channel_id: str | None, frame_id: int = 1) -> dict:
    return await socket.request({"id": frame_id, "type": "view", "channel": channel_id})


async def test_a_large_channels_reaction_reaches_its_viewers_and_sockets_that_never_said(team, sockets, settings):
    settings.LIVE_REACTIONS_MAX_CHANNEL_MEMBERS = 3  # #general has four members
    message = await run(message_post, sender=team.owner, channel=team.general, text="launch")
    viewer = await sockets.session(team.member)
    elsewhere = await sockets.session(team.other_member)
    bot = await sockets.token(team.admin, team.workspace)  # says nothing of what it shows
    assert await _view(viewer, team.general.public_id) == {"ok": True, "reply_to": 1}
    assert await _view(elsewhere, None) == {"ok": True, "reply_to": 1}

    await run(reaction_add, actor=team.owner, message=message, emoji="tada")

    for socket in (viewer, bot):
        event = (await socket.recv_until(_reacted))[-1]
        assert (event["reaction"], event["item"]["ts"]) == ("tada", message.ts)
    await elsewhere.nothing(0.5)
    await run(message_post, sender=team.owner, channel=team.general, text="messages reach everyone")
    posted = (await elsewhere.recv_until(lambda f: f.get("type") == "message"))[-1]
    assert posted["text"] == "messages reach everyone"


async def test_a_socket_gets_a_large_channels_reactions_again_once_it_shows_it(team, sockets, settings):
    settings.LIVE_REACTIONS_MAX_CHANNEL_MEMBERS = 3
    message = await run(message_post, sender=team.owner, channel=team.general, text="launch")
    socket = await sockets.session(team.member)
    await _view(socket, None)
    await run(reaction_add, actor=team.owner, message=message, emoji="eyes")
    await socket.nothing(0.5)

    await _view(socket, team.general.public_id, frame_id=2)
    await run(reaction_add, actor=team.admin, message=message, emoji="eyes")

    event = (await socket.recv_until(_reacted))[-1]
    assert (event["user"], event["reaction"]) == (team.admin.public_id, "eyes")


async def test_small_channels_and_dms_send_reactions_to_every_member_whatever_they_view(team, sockets, settings):
    settings.LIVE_REACTIONS_MAX_CHANNEL_MEMBERS = 2
    group_dm, _ = await run(dm_open, actor=team.owner, workspace=team.workspace, users=[team.member, team.other_member])
    in_dm = await run(message_post, sender=team.owner, channel=group_dm, text="three of us")
    settings.LIVE_REACTIONS_MAX_CHANNEL_MEMBERS = 100
    in_general = await run(message_post, sender=team.owner, channel=team.general, text="four of us")
    socket = await sockets.session(team.member)
    await _view(socket, None)

    settings.LIVE_REACTIONS_MAX_CHANNEL_MEMBERS = 2  # the group DM is over it, and still hears every reaction
    await run(reaction_add, actor=team.owner, message=in_dm, emoji="wave")
    settings.LIVE_REACTIONS_MAX_CHANNEL_MEMBERS = 100
    await run(reaction_add, actor=team.owner, message=in_general, emoji="tada")

    heard = [f for f in await socket.drain(1.0) if _reacted(f)]
    assert sorted(f["reaction"] for f in heard) == ["tada", "wave"]


async def test_viewing_a_channel_the_socket_is_not_in_is_channel_not_found(team, outsider, sockets):
    """Whoever asks, admins included: a private channel they are not in, a public one they have not joined,
    another workspace's channel, a made-up id."""
    hidden = await run(channel_create, actor=team.member, workspace=team.workspace, name="hush", is_private=True)
    unjoined = await run(channel_create, actor=team.member, workspace=team.workspace, name="elsewhere")
    away = await run(workspace_with_owner, outsider, name="Away")
    theirs = await run(channel_create, actor=outsider, workspace=away, name="theirs")
    await run(member_add, actor=outsider, workspace=away, user=team.member)
    admin = await sockets.session(team.admin)
    guest = await sockets.session(team.guest)
    # A member of #general, through a token of their other workspace: it acts in that workspace only.
    foreign_token = await sockets.token(team.member, away)

    asks = [
        (admin, hidden.public_id),
        (admin, unjoined.public_id),
        (admin, theirs.public_id),
        (admin, "C0NOTACHANNEL"),
        (guest, team.general.public_id),
        (foreign_token, team.general.public_id),
    ]
    for number, (socket, channel_id) in enumerate(asks, start=1):
        reply = await _view(socket, channel_id, frame_id=number)
        assert (reply["ok"], reply["error"]["code"]) == (False, "channel_not_found"), channel_id


async def test_a_refused_view_leaves_the_socket_getting_every_reaction(team, sockets, settings):
    """It shows something it may be about to join: too many frames lose nothing, too few would."""
    settings.LIVE_REACTIONS_MAX_CHANNEL_MEMBERS = 3
    hidden = await run(channel_create, actor=team.owner, workspace=team.workspace, name="hush", is_private=True)
    message = await run(message_post, sender=team.owner, channel=team.general, text="launch")
    socket = await sockets.session(team.member)
    await _view(socket, None)
    assert (await _view(socket, hidden.public_id, frame_id=2))["error"]["code"] == "channel_not_found"

    await run(reaction_add, actor=team.owner, message=message, emoji="rocket")

    assert (await socket.recv_until(_reacted))[-1]["reaction"] == "rocket"
