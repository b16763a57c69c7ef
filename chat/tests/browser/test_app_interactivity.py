"""An unmodified Bolt for Python app in Socket Mode, used by two people in real Chromium: a click and a menu
choice in its message change it for both, a button and a message shortcut open its modal, whose invalid
submission shows the app's error beside the field and whose valid one closes it, and its Home tab shows
what it published."""

from __future__ import annotations

import pytest

from chat.services import dm_open
from chat.tests.browser.conftest import elsewhere
from chat.tests.browser.test_client import channel_path
from slack_apps.tests.bolt_apps import interactive_app

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

APP_WAIT_MS = 5000  # the app answers through the Web API after its ack


def test_two_people_use_a_bolt_apps_buttons_menus_modals_shortcut_and_home(team, people, deployer):
    app, bolt = deployer
    alice, bob = people(team.member, team.other_member)
    for person in (alice, bob):
        person.open(channel_path(team, team.general))
    bolt.client.chat_postMessage(
        channel=team.general.public_id, text=interactive_app.APPROVAL_TEXT, blocks=interactive_app.approval_blocks()
    )
    for person in (alice, bob):
        person.page.locator(".bk-button", has_text="Approve").wait_for(timeout=APP_WAIT_MS)
    alice.screenshot("app-message")

    alice.page.locator(".bk-button", has_text="Approve").click()
    for person in (alice, bob):
        person.page.locator(".bk-block--context", has_text="Approved by").wait_for(timeout=APP_WAIT_MS)
    bob.page.locator("select.bk-select").select_option(label="Production")
    for person in (alice, bob):
        person.page.locator(".bk-block--context", has_text="Environment: Production").wait_for(timeout=APP_WAIT_MS)
    bob.screenshot("app-message-updated")

    alice.page.locator(".bk-button", has_text="Request a change").click()
    modal = alice.page.locator("dialog.app-modal")
    modal.wait_for(timeout=APP_WAIT_MS)
    assert bob.page.locator("dialog.app-modal").count() == 0
    field = modal.locator("textarea")
    assert alice.page.evaluate("() => document.activeElement.tagName") == "TEXTAREA"
    field.fill("no")
    modal.locator("button[type=submit]", has_text="Send").click()
    error = modal.locator(".bk-field-error", has_text="Please say a little more")
    error.wait_for(timeout=APP_WAIT_MS)
    assert field.get_attribute("aria-invalid") == "true"
    assert error.get_attribute("id") in field.get_attribute("aria-describedby")
    alice.screenshot("app-modal-error")
    field.fill("the rollout needs a canary first")
    modal.locator("button[type=submit]").click()
    modal.wait_for(state="detached", timeout=APP_WAIT_MS)
    posted = "Change request from"
    for person in (alice, bob):
        person.page.locator(".msg__text", has_text=posted).wait_for(timeout=APP_WAIT_MS)

    row = alice.page.locator(".msg", has=alice.page.locator(".msg__text", has_text=posted))
    row.hover()
    row.locator("button[aria-label='More actions']").click()
    alice.page.locator("#message-menu button", has_text="Task from this").click()
    task = alice.page.locator("dialog.app-modal", has_text="Make a task")
    task.wait_for(timeout=APP_WAIT_MS)
    alice.screenshot("app-shortcut-modal")
    alice.page.keyboard.press("Escape")
    task.wait_for(state="detached")

    dm, _ = elsewhere(dm_open, actor=team.member, workspace=team.workspace, users=[app.bot_user])
    alice.open(channel_path(team, dm))
    alice.page.locator("#app-tabs [role=tab]", has_text="Home").click()
    alice.page.locator("#app-home .bk-header", has_text="Deployer home").wait_for(timeout=APP_WAIT_MS)
    assert alice.page.locator("#app-tab-home").get_attribute("aria-selected") == "true"
    alice.screenshot("app-home")
