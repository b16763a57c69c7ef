"""Ending one session closes the sockets that session opened, and no other; an admin signing a member out
everywhere closes all of the member's; a session a workspace's sign-in policy refuses hears nothing of it."""

from __future__ import annotations

import time

import pytest
from allauth.usersessions.models import UserSession

from chat.services import message_post
from identity.policy import SESSION_KEY
from identity.sessions import member_sign_out_everywhere, user_session_end
from identity.sign_in_policy import sign_in_policy_update
from realtime.tests.conftest import ORIGIN, run
from slackclone.testing.factories import DEFAULT_PASSWORD
from slackclone.testing.web import web_client

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


def _browser(person) -> tuple[str, int]:
    """A browser signed in through the login page: its session key and its UserSession row."""
    client = web_client()
    assert client.post("/accounts/login/", {"username": person.email, "password": DEFAULT_PASSWORD}).status_code == 302
    key = client.session.session_key
    return key, UserSession.objects.get(session_key=key).pk


async def _socket(sockets, key: str):
    socket = sockets.raw([(b"cookie", f"sessionid={key}".encode()), (b"origin", ORIGIN.encode())])
    return await socket.connect()


async def test_signing_one_session_out_closes_its_socket_and_only_its(team, sockets):
    phone_key, phone_row = await run(_browser, team.member)
    laptop_key, _ = await run(_browser, team.member)
    phone = await _socket(sockets, phone_key)
    laptop = await _socket(sockets, laptop_key)
    bot = await sockets.token(team.member, team.workspace)

    await run(user_session_end, actor=team.member, session_id=phone_row, current_key=laptop_key)

    assert await phone.expect_close() == 4401
    await laptop.nothing()
    await bot.nothing()
    again = sockets.raw([(b"cookie", f"sessionid={phone_key}".encode()), (b"origin", ORIGIN.encode())])
    await again.connect(expect_hello=False)
    assert await again.expect_close() == 4401


async def test_an_admin_signing_a_member_out_everywhere_closes_every_one_of_their_sockets(team, sockets):
    first_key, _ = await run(_browser, team.member)
    second_key, _ = await run(_browser, team.member)
    first, second = await _socket(sockets, first_key), await _socket(sockets, second_key)
    bystander = await sockets.session(team.other_member)

    await run(member_sign_out_everywhere, actor=team.admin, workspace=team.workspace, user=team.member)

    assert await first.expect_close() == 4013
    assert await second.expect_close() == 4013
    await bystander.nothing()
    again = sockets.raw([(b"cookie", f"sessionid={first_key}".encode()), (b"origin", ORIGIN.encode())])
    await again.connect(expect_hello=False)
    assert await again.expect_close() == 4401
    assert not await run(UserSession.objects.filter(user=team.member).exists)


def _age_session(key: str, hours: float) -> None:
    from importlib import import_module

    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore(key)
    store[SESSION_KEY] = {"method": "password", "at": time.time() - hours * 3600}
    store.save()


async def test_a_session_older_than_the_session_length_hears_nothing_of_the_workspace(team, sockets):
    await run(
        sign_in_policy_update,
        actor=team.owner,
        workspace=team.workspace,
        allow_password=True,
        allow_ldap=True,
        allow_sso=True,
        sso_only=False,
        session_length_hours=8,
    )
    old_key, _ = await run(_browser, team.member)
    await run(_age_session, old_key, 9)  # signed in nine hours ago: time injected, not slept
    fresh_key, _ = await run(_browser, team.other_member)
    old, fresh = await _socket(sockets, old_key), await _socket(sockets, fresh_key)
    bot = await sockets.token(team.member, team.workspace)  # API tokens are not held to the policy

    await run(message_post, sender=team.owner, channel=team.general, text="hello everyone")

    frames = await fresh.recv_until(lambda f: f.get("type") == "message")
    assert frames[-1]["text"] == "hello everyone"
    assert [f for f in await bot.drain(1.0) if f.get("type") == "message"]
    assert not [f for f in await old.drain(0.5) if f.get("type") == "message"]


async def test_a_socket_open_when_the_session_length_runs_out_is_closed_to_be_checked_again(team, sockets):
    await run(
        sign_in_policy_update,
        actor=team.owner,
        workspace=team.workspace,
        allow_password=True,
        allow_ldap=True,
        allow_sso=True,
        sso_only=False,
        session_length_hours=1,
    )
    key, _ = await run(_browser, team.member)
    await run(_age_session, key, 1 - 1 / 3600)  # signed in 59 min 59 s ago: one second left
    socket = await _socket(sockets, key)

    assert await socket.expect_close(timeout=5) == 4013
    again = await _socket(sockets, key)  # let in again, but no longer hearing the workspace
    await run(message_post, sender=team.owner, channel=team.general, text="after the hour")
    assert not [f for f in await again.drain(0.5) if f.get("type") == "message"]


async def test_a_changed_policy_closes_session_sockets_but_not_token_sockets(team, sockets):
    browser = await sockets.session(team.member)
    bot = await sockets.token(team.member, team.workspace)
    await run(
        sign_in_policy_update,
        actor=team.owner,
        workspace=team.workspace,
        allow_password=True,
        allow_ldap=False,
        allow_sso=True,
        sso_only=False,
    )
    assert await browser.expect_close() == 4013
    await bot.nothing()
