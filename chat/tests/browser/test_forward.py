"""Forwarding in Chromium: chosen from a message's menu with a comment; the other person sees the source,
and a link back only when they can open it."""

from __future__ import annotations

import pytest

from chat.services import channel_create, channel_invite, message_post
from chat.tests.browser.conftest import PUSH_TIMEOUT_MS, elsewhere
from chat.tests.browser.test_client import channel_path, message

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_forwarded_message_shows_its_source_and_links_back_only_for_who_can_read_it(team, people):
    plans = elsewhere(channel_create, actor=team.member, workspace=team.workspace, name="plans", is_private=True)
    elsewhere(message_post, sender=team.member, channel=plans, text="ship on Friday")
    ops = elsewhere(channel_create, actor=team.member, workspace=team.workspace, name="ops")
    elsewhere(channel_invite, actor=team.member, channel=ops, users=[team.other_member])
    alice, bob = people(team.member, team.other_member)
    bob.open(channel_path(team, ops))
    alice.open(channel_path(team, plans))
    row = message(alice, "ship on Friday")
    row.hover()
    row.locator("button[aria-label='More actions']").click()
    alice.page.locator("#message-menu button", has_text="Forward message").click()
    dialog = alice.page.locator("dialog.modal", has_text="Forward this message")
    dialog.locator("select").select_option(label="#ops")
    dialog.locator("textarea").fill("FYI")
    dialog.locator("button", has_text="Forward").click()
    dialog.wait_for(state="detached")
    forwarded = bob.page.locator(".msg", has=bob.page.locator(".att--share", has_text="ship on Friday"))
    forwarded.wait_for(timeout=PUSH_TIMEOUT_MS)
    assert "FYI" in forwarded.inner_text()
    assert "Forwarded from #plans" in forwarded.inner_text()
    assert forwarded.locator("a", has_text="View message").count() == 0, "bob cannot open #plans"
    bob.screenshot("forwarded")
    alice.open(channel_path(team, ops))
    mine = alice.page.locator(".att--share", has_text="ship on Friday")
    mine.wait_for()
    assert mine.locator("a", has_text="View message").count() == 1
