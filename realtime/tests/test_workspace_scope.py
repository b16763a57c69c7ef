"""A socket hears a workspace's events only while it belongs there.

A socket opened with an API token acts in its token's workspace only: nothing of the person's
other workspaces reaches it, not even what is sent to the person's own sockets. Deactivating a
membership closes that workspace's token sockets at once; the person's browser keeps their other
workspaces and hears nothing more of that one.
"""

import pytest

from chat import events
from chat.services import (
    channel_create,
    channel_mark_read,
    channel_prefs_update,
    dm_open,
    message_post,
    sidebar_section_create,
)
from realtime import calls
from realtime.tests.conftest import run
from slackclone.testing.factories import workspace_with_owner
from workspaces.models import Membership
from workspaces.services import member_add, member_deactivate, member_reactivate

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


def of_type(kind):
    return lambda frame: frame.get("type") == kind


def _second_workspace(team, outsider):
    """The outsider's workspace, with team.member in it too; returns (workspace, its #general)."""
    other = Membership.objects.get(user=outsider).workspace
    member_add(actor=outsider, workspace=other, user=team.member)
    return other, other.channels.get(name="general")


def _busy_elsewhere(team, outsider, other, other_general):
    """Everything that reaches team.member's own sockets from the other workspace."""
    secret = channel_create(
        actor=team.member, workspace=other, name="secret-plans", is_private=True, topic="takeover", purpose="quiet"
    )
    dm_open(actor=team.member, workspace=other, users=[outsider])
    message = message_post(sender=outsider, channel=other_general, text="elsewhere")
    channel_mark_read(actor=team.member, channel=other_general, seq=message.seq)
    channel_prefs_update(actor=team.member, channel=secret, muted=True)
    sidebar_section_create(actor=team.member, workspace=other, name="secret-plans")


async def test_token_socket_does_not_receive_another_workspaces_events(team, outsider, sockets):
    other, other_general = await run(_second_workspace, team, outsider)
    token_socket = await sockets.token(team.member, team.workspace)
    browser = await sockets.session(team.member)

    await run(_busy_elsewhere, team, outsider, other, other_general)
    here = await run(message_post, sender=team.owner, channel=team.general, text="here")
    await run(channel_mark_read, actor=team.member, channel=team.general, seq=here.seq)

    frames = await token_socket.recv_until(of_type("channel_marked"))
    assert [f["type"] for f in frames] == ["message", "channel_marked"]
    assert frames[1]["channel"] == team.general.public_id
    assert "secret-plans" not in str(frames)
    # The person's browser acts in every workspace of theirs: it hears all of it.
    seen = await browser.recv_until(
        lambda f: f.get("type") == "channel_marked" and f["channel"] == team.general.public_id
    )
    assert {"channel_joined", "im_created", "channel_marked", "channel_prefs_changed", "sidebar_changed"} <= {
        f["type"] for f in seen
    }


async def test_deactivating_a_membership_closes_that_workspaces_token_sockets_only(team, outsider, sockets):
    other, _ = await run(_second_workspace, team, outsider)
    here = await sockets.token(team.member, team.workspace)
    elsewhere = await sockets.token(team.member, other)
    browser = await sockets.session(team.member)

    await run(member_deactivate, actor=team.owner, workspace=team.workspace, user=team.member)

    assert await here.expect_close() == 4401
    await elsewhere.nothing()
    assert (await elsewhere.request({"id": 1, "type": "ping"}))["type"] == "pong"
    assert (await browser.request({"id": 1, "type": "ping"}))["type"] == "pong"


async def test_a_browser_stops_hearing_a_workspace_it_was_deactivated_in_and_keeps_the_others(team, outsider, sockets):
    other, other_general = await run(_second_workspace, team, outsider)
    browser = await sockets.session(team.member)
    await run(member_deactivate, actor=outsider, workspace=other, user=team.member)
    await browser.nothing()

    await run(message_post, sender=outsider, channel=other_general, text="after you left")
    # An event about that workspace already on its way to the person's own sockets when they were
    # deactivated (a notification task, a read marker from another client) is not delivered either.
    await run(events.send_channel_marked, other_general, team.member, seq=1, ts="1.0", unread_count=0)
    await run(message_post, sender=team.owner, channel=team.general, text="still here")
    frames = await browser.recv_until(lambda f: f.get("text") == "still here")
    assert [f["type"] for f in frames] == ["message"]


async def test_a_browser_hears_a_workspace_again_once_reactivated_there(team, outsider, sockets):
    other, other_general = await run(_second_workspace, team, outsider)
    browser = await sockets.session(team.member)
    await run(member_deactivate, actor=outsider, workspace=other, user=team.member)
    await run(member_reactivate, actor=outsider, workspace=other, user=team.member)

    message = await run(message_post, sender=outsider, channel=other_general, text="welcome back")
    await browser.recv_until(lambda f: f.get("text") == "welcome back")
    await run(channel_mark_read, actor=team.member, channel=other_general, seq=message.seq)
    await browser.recv_until(of_type("channel_marked"))


async def test_a_browser_hears_a_workspace_it_joins_while_open(team, sockets):
    browser = await sockets.session(team.member)
    other = await run(workspace_with_owner)
    await run(member_add, actor=None, workspace=other, user=team.member)
    joined = (await browser.recv_until(of_type("channel_joined")))[-1]
    assert joined["channel"]["name"] == "general"


async def test_a_token_socket_whose_membership_is_deactivated_while_it_opens_is_closed_instead_of_greeted(
    team, outsider, sockets, monkeypatch
):
    await run(_second_workspace, team, outsider)  # still active elsewhere: only the token's workspace counts
    read_subscriptions = calls.load_subscriptions

    async def deactivated_in_between(user_pk, workspace_id, token_id=None, barred=()):
        # After the handshake and the user-group join, with no event: only the read on open can notice.
        await Membership.objects.filter(user_id=user_pk, workspace_id=workspace_id).aupdate(is_active=False)
        return await read_subscriptions(user_pk, workspace_id, token_id, barred)

    monkeypatch.setattr(calls, "load_subscriptions", deactivated_in_between)
    socket = await sockets.token(team.member, team.workspace, hello=False)
    assert await socket.expect_close() == 4401


async def test_a_guest_hears_no_workspace_news_whether_invited_so_or_demoted(team, outsider, sockets):
    """Guests see only their own channels and the people in them: not the workspace's new channels,
    nor who joins, nor profile changes of people they may not see."""
    from accounts.services import user_update_profile
    from workspaces.services import member_change_role

    invited = await sockets.session(outsider)  # open in their own workspace, where they are the owner
    await run(member_add, actor=team.owner, workspace=team.workspace, user=outsider, role="guest")
    demoted = await sockets.session(team.member)
    await run(member_change_role, actor=team.owner, workspace=team.workspace, user=team.member, role="guest")
    await demoted.nothing(wait=0.5)  # not even the user_change of their own demotion: it is workspace news

    await run(channel_create, actor=team.owner, workspace=team.workspace, name="announcements")
    await run(user_update_profile, actor=team.admin, user=team.admin, title="Boss")

    await invited.nothing(wait=0.5)
    await demoted.nothing(wait=0.5)
