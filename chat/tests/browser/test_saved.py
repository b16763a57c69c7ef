"""Saved for later in Chromium: saved from a message's menu, marked on the message in both of the person's
tabs, listed in the Saved view, moved to Completed, and removed."""

from __future__ import annotations

import pytest

from chat.services import message_post
from chat.tests.browser.conftest import PUSH_TIMEOUT_MS, elsewhere
from chat.tests.browser.test_client import channel_path, message
from notifications.models import Reminder, SavedItem

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_save_a_message_see_it_in_both_tabs_complete_it_and_remove_it(team, people):
    elsewhere(message_post, sender=team.owner, channel=team.general, text="read the launch plan")
    tab, other_tab = people(team.member, team.member)
    for person in (tab, other_tab):
        person.open(channel_path(team, team.general))
    row = message(tab, "read the launch plan")
    row.hover()
    row.locator("button[aria-label='More actions']").click()
    tab.page.locator("#message-menu button", has_text="Save for later").click()
    row.locator(".msg__saved").wait_for()
    message(other_tab, "read the launch plan").locator(".msg__saved").wait_for(timeout=PUSH_TIMEOUT_MS)
    assert SavedItem.objects.filter(user=team.member, done_at__isnull=True).count() == 1

    tab.page.locator(".side-item", has_text="Saved for later").click()
    item = tab.page.locator(".saved-item", has_text="read the launch plan")
    item.wait_for()
    tab.screenshot("saved")
    item.locator("button", has_text="Remind me tomorrow").click()
    tab.page.locator(".toast", has_text="I will remind you tomorrow").wait_for()
    assert Reminder.objects.get(user=team.member).message.text == "read the launch plan"
    item.locator("button", has_text="Mark as done").click()
    tab.page.locator(".empty-state", has_text="Save a message").wait_for()
    tab.page.locator("[role=tab]", has_text="Completed").click()
    done = tab.page.locator(".saved-item", has_text="read the launch plan")
    done.wait_for()
    assert SavedItem.objects.get(user=team.member).done_at is not None
    done.locator("button[aria-label='Remove from saved items']").click()
    tab.page.locator(".empty-state", has_text="Nothing completed").wait_for()
    message(other_tab, "read the launch plan").locator(".msg__saved").wait_for(
        state="detached", timeout=PUSH_TIMEOUT_MS
    )
    assert not SavedItem.objects.exists()
