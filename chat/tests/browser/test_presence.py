"""Presence in the web client: the page follows the people it shows (presence_sub), and only them."""

from __future__ import annotations

import json
import time

import pytest

from chat.services import dm_open
from chat.tests.browser.conftest import PUSH_TIMEOUT_MS, elsewhere

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _frames(person) -> tuple[list[dict], list[dict]]:
    """What the person's page sends on its socket and what it receives, as they happen."""
    sent: list[dict] = []
    received: list[dict] = []

    def watch(socket) -> None:
        socket.on("framesent", lambda payload: sent.append(json.loads(payload)))
        socket.on("framereceived", lambda payload: received.append(json.loads(payload)))

    person.page.on("websocket", watch)
    return sent, received


def _until(person, found, timeout: float = PUSH_TIMEOUT_MS / 1000):
    """Let the page run (Playwright hands over its socket's frames meanwhile) until found() is truthy."""
    deadline = time.monotonic() + timeout
    while not (result := found()):
        assert time.monotonic() < deadline, "not within the push timeout"
        person.page.wait_for_timeout(50)
    return result


def _named(frame: dict) -> set[str]:
    return set(frame.get("users") or [frame.get("user")]) if frame.get("type") == "presence_change" else set()


def test_a_dm_partner_coming_online_shows_and_nobody_else_s_presence_reaches_the_page(team, people):
    dm, _ = elsewhere(dm_open, actor=team.owner, workspace=team.workspace, users=[team.member])
    (alice,) = people(team.owner)
    sent, received = _frames(alice)
    alice.open(f"/{team.workspace.slug}/archives/{dm.public_id}/")
    follows = _until(alice, lambda: [frame["ids"] for frame in sent if team.member.public_id in frame.get("ids", [])])
    assert team.other_member.public_id not in follows[-1], "alice's page shows nothing of carol"
    dot = alice.page.locator(f".side-item[data-channel='{dm.public_id}'] .presence")
    assert "presence--away" in dot.get_attribute("class")

    (carol,) = people(team.other_member)  # signing in opens the client: online first, then bob
    carol.open(f"/{team.workspace.slug}/archives/{team.general.public_id}/")
    people(team.member)

    alice.page.locator(f".side-item[data-channel='{dm.public_id}'] .presence--active").wait_for(timeout=PUSH_TIMEOUT_MS)
    heard = set().union(*(_named(frame) for frame in received))
    assert team.member.public_id in heard
    assert team.other_member.public_id not in heard, "a change of someone the page does not show"
