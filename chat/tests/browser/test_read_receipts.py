"""Read receipts in Chromium: the owner turns them on, Alice writes to Bob, Bob reads it and Alice sees
"Seen by Bob" without reloading; it goes when Bob stops sending his, comes back when he sends them again,
and goes for good when the workspace turns them off."""

from __future__ import annotations

import pytest

from chat.services import dm_open
from chat.tests.browser.conftest import elsewhere
from chat.tests.browser.test_client import channel_path, confirmed, post

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# A settings page's POST, then the event: a little longer than a message's push.
SETTING_TIMEOUT_MS = 5000


def save_checkbox(person, form_action: str, name: str, *, checked: bool) -> None:
    """Tick or clear one checkbox of a settings form and save it."""
    form = person.page.locator(f"form[action$='{form_action}']")
    form.locator(f"input[name={name}]").set_checked(checked)
    form.locator("button[type=submit]").click()
    person.page.wait_for_load_state()
    person.page.locator(".messages, [role=status], .alert").first.wait_for()


def test_alice_sees_that_bob_read_her_dm_until_he_or_the_workspace_turns_receipts_off(team, people):
    owner_settings, alice, bob = people(team.owner, team.owner, team.member)
    settings_page = f"/{team.workspace.slug}/admin/settings/"
    owner_settings.page.goto(settings_page)
    save_checkbox(owner_settings, "/admin/settings/read-receipts/", "read_receipts", checked=True)
    team.workspace.refresh_from_db()
    assert team.workspace.read_receipts

    dm, _ = elsewhere(dm_open, actor=team.owner, workspace=team.workspace, users=[team.member])
    alice.open(channel_path(team, dm))
    post(alice, "Are you free for lunch?")
    confirmed(alice, "Are you free for lunch?")
    receipt = alice.page.locator("#read-receipt")
    assert receipt.count() == 0

    bob.open(channel_path(team, dm))
    receipt.wait_for(timeout=SETTING_TIMEOUT_MS)
    assert receipt.inner_text() == f"Seen by {team.member.display_name}"
    alice.screenshot("read-receipts")

    bob.page.goto("/accounts/preferences/")
    save_checkbox(bob, "/accounts/preferences/", "send_read_receipts", checked=False)
    receipt.wait_for(state="detached", timeout=SETTING_TIMEOUT_MS)

    save_checkbox(bob, "/accounts/preferences/", "send_read_receipts", checked=True)
    receipt.wait_for(timeout=SETTING_TIMEOUT_MS)

    owner_settings.page.goto(settings_page)
    save_checkbox(owner_settings, "/admin/settings/read-receipts/", "read_receipts", checked=False)
    receipt.wait_for(state="detached", timeout=SETTING_TIMEOUT_MS)
    assert alice.page.evaluate("window.slackclone.store.workspace.read_receipts") is False
