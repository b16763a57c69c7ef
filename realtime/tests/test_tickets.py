"""rtm.connect's one-time tickets: issued for an API token, redeemed once, refused when used or expired."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async

from integrations.tokens import api_token_create
from realtime import tickets
from realtime.tickets import ticket_issue, ticket_redeem
from workspaces.tokens import api_token_revoke

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


def _ticket(user, workspace) -> str:
    token, _raw = api_token_create(actor=None, user=user, workspace=workspace)
    return ticket_issue(token)


async def _opened(sockets, ticket: str):
    """The socket opened with the ticket: its first frame, or the close code it got instead."""
    socket = sockets.raw([], path=f"/ws/?ticket={ticket}")
    await socket.connect(expect_hello=False)
    output = await socket.recv_raw()
    if output["type"] == "websocket.close":
        return output["code"]
    return json.loads(output["text"])


def test_a_ticket_is_redeemed_once_for_its_token(team):
    token, _raw = api_token_create(actor=None, user=team.member, workspace=team.workspace)
    raw = ticket_issue(token)
    assert token.token_hash not in raw
    assert len(raw) >= 40
    redeemed = ticket_redeem(raw)
    assert (redeemed.pk, redeemed.user, redeemed.workspace) == (token.pk, team.member, team.workspace)
    assert ticket_redeem(raw) is None


def test_a_ticket_is_good_until_its_time_to_live_has_passed(team, wall_clock):
    token, _raw = api_token_create(actor=None, user=team.member, workspace=team.workspace)
    fresh, expired = ticket_issue(token), ticket_issue(token)
    wall_clock.advance(tickets.TICKET_TTL_SECONDS - 1)
    assert ticket_redeem(fresh).pk == token.pk
    wall_clock.advance(1)
    assert ticket_redeem(expired) is None


def test_an_unknown_or_revoked_ticket_is_refused(team):
    token, _raw = api_token_create(actor=None, user=team.member, workspace=team.workspace)
    assert ticket_redeem("not-a-ticket") is None
    assert ticket_redeem("") is None
    revoked = ticket_issue(token)
    api_token_revoke(actor=None, token=token)
    assert ticket_redeem(revoked) is None


async def test_a_ticket_opens_one_socket_as_its_token_without_origin(team, sockets):
    ticket = await sync_to_async(_ticket)(team.member, team.workspace)
    assert await _opened(sockets, ticket) == {"type": "hello"}
    assert await _opened(sockets, ticket) == 4401, "a ticket is good for one socket only"


async def test_a_bad_ticket_is_closed_with_4401_and_no_data(team, sockets):
    assert await _opened(sockets, "made-up") == 4401
