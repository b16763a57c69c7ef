"""Changing the password, resetting it, or signing out of other sessions ends the other sessions'
sockets at once: they are closed with 4013 and, reconnecting, refused with 4401."""

from __future__ import annotations

import pytest

from accounts.services import user_sign_out_other_sessions
from realtime.tests.conftest import ORIGIN, run, session_cookie

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


def _set_password(user, password: str) -> None:
    user.set_password(password)
    user.save()


async def _reconnect_refused(sockets, cookie: str) -> bool:
    again = sockets.raw([(b"cookie", cookie.encode()), (b"origin", ORIGIN.encode())])
    await again.connect(expect_hello=False)
    return await again.expect_close() == 4401


@pytest.mark.parametrize("save", ["full", "update_fields"])
async def test_a_new_password_closes_the_stolen_sessions_socket_and_it_cannot_come_back(team, sockets, save):
    stolen_cookie = await run(session_cookie, team.member)
    stolen = sockets.raw([(b"cookie", stolen_cookie.encode()), (b"origin", ORIGIN.encode())])
    await stolen.connect()
    bot_socket = await sockets.token(team.member, team.workspace)

    if save == "full":
        await run(_set_password, team.member, "a brand new passphrase")
    else:
        team.member.set_password("a brand new passphrase")
        await run(team.member.save, update_fields=["password"])

    assert await stolen.expect_close() == 4013
    assert await _reconnect_refused(sockets, stolen_cookie)
    assert await bot_socket.expect_close() == 4013  # a token is no session: it reconnects and is let in
    again = await sockets.token(team.member, team.workspace)
    assert (await again.request({"id": 1, "type": "ping"}))["type"] == "pong"


async def test_signing_out_of_other_sessions_ends_them_but_the_caller_signs_in_again(team, sockets):
    other_cookie = await run(session_cookie, team.member)
    other = sockets.raw([(b"cookie", other_cookie.encode()), (b"origin", ORIGIN.encode())])
    await other.connect()

    user = await run(user_sign_out_other_sessions, actor=team.member)

    assert await other.expect_close() == 4013
    assert await _reconnect_refused(sockets, other_cookie)
    fresh = await sockets.session(user)  # the caller's session is re-signed with the new epoch
    assert (await fresh.request({"id": 1, "type": "ping"}))["type"] == "pong"


async def test_a_profile_change_closes_no_socket(team, sockets):
    socket = await sockets.session(team.member)
    team.member.title = "Chef"
    await run(team.member.save)
    await socket.nothing()
