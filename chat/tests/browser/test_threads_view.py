"""The Threads view in Chromium: Bob replies in Alice's thread, her Threads badge and the view count one
unread reply live, the channel's own unread is not raised, and opening the thread clears the count."""

from __future__ import annotations

import pytest

from chat.models import ThreadFollow
from chat.selectors import unread_counts
from chat.services import message_post
from chat.tests.browser.conftest import PUSH_TIMEOUT_MS, elsewhere, wait_until_the_server_is_idle
from chat.tests.browser.test_client import channel_path, message
from slack_apps.tests.support import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_reply_counts_in_the_threads_view_live_and_opening_the_thread_clears_it(team, people):
    root = elsewhere(message_post, sender=team.owner, channel=team.general, text="Who reviews the launch plan?")
    alice, bob = people(team.owner, team.member)
    alice.open(channel_path(team, team.random))
    bob.open(channel_path(team, team.general))
    threads = alice.page.locator(".side-item--threads")
    threads.wait_for()
    assert threads.locator(".badge-count").count() == 0

    row = message(bob, "Who reviews the launch plan?")
    row.hover()
    row.get_by_role("button", name="Reply in thread").click()
    bob.page.fill("#thread-pane textarea", "I will, after lunch")
    bob.page.press("#thread-pane textarea", "Enter")
    message(bob, "I will, after lunch", scope="#thread-pane").wait_for()

    threads.locator(".badge-count", has_text="1").wait_for(timeout=PUSH_TIMEOUT_MS)
    general = alice.page.locator(f".side-item[data-channel='{team.general.public_id}']")
    assert "side-item--unread" not in (general.get_attribute("class") or "")
    assert unread_counts(user=team.owner, workspace=team.workspace)[team.general.public_id]["unread"] == 0

    threads.click()
    item = alice.page.locator(".thread-item", has_text="Who reviews the launch plan?")
    item.wait_for()
    item.locator(".thread-item__unread", has_text="1").wait_for()
    assert item.locator(".thread-item__reply", has_text="I will, after lunch").count() == 1
    alice.screenshot("threads")

    item.locator("button.result").click()
    message(alice, "I will, after lunch", scope="#thread-pane").wait_for()
    threads.locator(".badge-count").wait_for(state="detached", timeout=PUSH_TIMEOUT_MS)
    assert wait_until(lambda: ThreadFollow.objects.get(user=team.owner, root=root).last_read_seq == root.seq + 1)

    # Unfollowing from the pane's header stops the next reply from counting.
    alice.page.locator("#thread-pane .thread__follow", has_text="Following").click()
    alice.page.locator("#thread-pane").get_by_role("button", name="Follow", exact=True).wait_for()
    assert wait_until(lambda: not ThreadFollow.objects.get(user=team.owner, root=root).following)
    elsewhere(message_post, sender=team.member, channel=team.general, text="Done", thread_ts=root.ts)
    wait_until_the_server_is_idle()
    assert threads.locator(".badge-count").count() == 0

    # The message menu follows it again.
    root_row = message(alice, "Who reviews the launch plan?")
    root_row.hover()
    root_row.locator("button[aria-label='More actions']").click()
    alice.page.locator("#message-menu").get_by_role("menuitem", name="Follow thread", exact=True).click()
    alice.page.locator("#thread-pane .thread__follow", has_text="Following").wait_for()
    assert wait_until(lambda: ThreadFollow.objects.get(user=team.owner, root=root).following)
