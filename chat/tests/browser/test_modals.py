"""Apps' modals and shortcuts in real Chromium against the live server, with an unmodified Bolt app in Socket
Mode: the composer's ⚡ menu lists the workspace's global shortcuts and runs one, whose modal keeps the focus
inside, closes on Escape (telling the server), shows the app's errors beside their field and closes on a valid
submission. The answers the Bolt app does not give (no answer in time, `push`) are given by intercepting the
one request, as docs/apps.md describes them."""

from __future__ import annotations

import json

import pytest

from chat.tests.browser.test_client import channel_path

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

APP_WAIT_MS = 5000  # the app opens its modal through the Web API after its ack
MODAL = "dialog.app-modal"
IN_MODAL = "() => Boolean(document.activeElement && document.activeElement.closest('dialog.app-modal'))"


def open_task_modal(person):
    """The ⚡ menu's "Make a task": the app answers with its modal."""
    page = person.page
    page.locator(".composer__shortcuts").first.click()
    page.locator("#shortcut-menu [role=menuitem]", has_text="Make a task").click()
    modal = page.locator(MODAL, has_text="Make a task")
    modal.wait_for(timeout=APP_WAIT_MS)
    return modal


def test_the_shortcuts_menu_lists_global_shortcuts_and_runs_one(team, people, deployer):
    (alice,) = people(team.member)
    alice.open(channel_path(team, team.general))
    bolt_button = alice.page.locator(".composer__shortcuts").first
    bolt_button.click()
    menu = alice.page.locator("#shortcut-menu")
    menu.wait_for()
    assert bolt_button.get_attribute("aria-expanded") == "true"
    items = menu.locator("[role=menuitem]")
    assert items.count() == 1  # the message shortcut is not offered here
    assert items.first.inner_text().split("\n") == ["Make a task", "Deployer"]
    assert alice.page.evaluate("() => document.activeElement.getAttribute('role')") == "menuitem"
    alice.screenshot("shortcuts-menu")

    items.first.click()
    alice.page.locator(MODAL, has_text="Make a task").wait_for(timeout=APP_WAIT_MS)
    assert menu.count() == 0
    assert bolt_button.get_attribute("aria-expanded") == "false"


def test_a_shortcut_whose_app_does_not_answer_says_so(team, people, deployer):
    (alice,) = people(team.member)
    alice.open(channel_path(team, team.general))
    silent = {"ok": False, "error": {"code": "app_did_not_respond", "message": "Deployer did not respond. Try again."}}
    alice.page.route(
        "**/api/v1/interactions/shortcut",
        lambda route: route.fulfill(status=504, content_type="application/json", body=json.dumps(silent)),
    )
    alice.page.locator(".composer__shortcuts").first.click()
    with alice.page.expect_request(lambda request: request.url.endswith("/interactions/shortcut")) as sent:
        alice.page.locator("#shortcut-menu [role=menuitem]", has_text="Make a task").click()
    assert sent.value.post_data_json == {"app_id": deployer[0].public_id, "callback_id": "make_task", "type": "global"}
    alice.page.locator("#toasts [role=alert]", has_text="Deployer did not respond. Try again.").wait_for()
    assert alice.page.locator(MODAL).count() == 0
    alice.errors[:] = [error for error in alice.errors if "504" not in error]


def test_a_modal_keeps_the_focus_inside_and_escape_closes_it(team, people, deployer):
    (alice,) = people(team.member)
    alice.open(channel_path(team, team.general))
    modal = open_task_modal(alice)
    page = alice.page
    assert modal.get_attribute("aria-labelledby") == "app-modal-title"
    assert page.locator("#app-modal-title").inner_text() == "Make a task"
    assert page.evaluate("() => document.activeElement.tagName") == "TEXTAREA"
    assert page.evaluate(IN_MODAL)
    # Close (X), the textarea, Cancel and Send: Tab goes round them and never leaves.
    seen = []
    for _ in range(6):
        page.keyboard.press("Tab")
        assert page.evaluate(IN_MODAL)
        seen.append(page.evaluate("() => document.activeElement.textContent || document.activeElement.tagName"))
    assert seen[:4] == ["Cancel", "Send", "BUTTON", "TEXTAREA"]  # Send, then round to the X (an icon) at the top
    page.keyboard.press("Tab")  # from Send to the X, the first
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") == "Close"
    page.keyboard.press("Shift+Tab")  # and back round to the last
    assert page.evaluate("() => document.activeElement.textContent") == "Send"

    with page.expect_request(lambda request: "interactions/view-closed" in request.url) as closed:
        page.keyboard.press("Escape")
    modal.wait_for(state="detached")
    assert closed.value.post_data_json["clear"] is True
    assert closed.value.post_data_json["view_id"].startswith("V")
    assert page.evaluate("() => document.activeElement.classList.contains('composer__shortcuts')")


def test_a_submission_shows_the_apps_errors_beside_the_field_and_a_valid_one_closes_it(team, people, deployer):
    (alice,) = people(team.member)
    alice.open(channel_path(team, team.general))
    modal = open_task_modal(alice)
    field = modal.locator("textarea")
    field.fill("no")
    modal.locator("button[type=submit]", has_text="Send").click()
    error = modal.locator(".bk-field-error", has_text="Please say a little more")
    error.wait_for(timeout=APP_WAIT_MS)
    assert field.get_attribute("aria-invalid") == "true"
    assert error.get_attribute("id") in field.get_attribute("aria-describedby").split()
    assert alice.page.evaluate("() => document.activeElement.tagName") == "TEXTAREA"
    alice.screenshot("modal")

    field.fill("ship the canary first")
    modal.locator("button[type=submit]").click()
    modal.wait_for(state="detached", timeout=APP_WAIT_MS)
    alice.page.locator(".msg__text", has_text="Task from").wait_for(timeout=APP_WAIT_MS)


def test_an_app_that_does_not_answer_a_submission_is_named_and_the_modal_stays(team, people, deployer):
    (alice,) = people(team.member)
    alice.open(channel_path(team, team.general))
    modal = open_task_modal(alice)
    silent = {"ok": False, "error": {"code": "app_did_not_respond", "message": "Deployer did not respond. Try again."}}
    alice.page.route(
        "**/api/v1/interactions/view-submission",
        lambda route: route.fulfill(status=504, content_type="application/json", body=json.dumps(silent)),
    )
    modal.locator("textarea").fill("anything at all")
    modal.locator("button[type=submit]").click()
    modal.locator(".app-modal__error", has_text="Deployer did not respond. Try again.").wait_for()
    assert modal.is_visible()
    assert modal.locator("button[type=submit]").is_enabled()
    assert modal.locator("textarea").input_value() == "anything at all"
    # The browser logs the intercepted 504 itself; that line is this test's doing, not the client's.
    alice.errors[:] = [error for error in alice.errors if "504" not in error]


def test_a_pushed_view_has_a_back_arrow_that_returns_to_the_view_below(team, people, deployer):
    (alice,) = people(team.member)
    alice.open(channel_path(team, team.general))
    open_task_modal(alice)
    modal = alice.page.locator(MODAL)
    pushed = {
        "id": "VPUSHED0001",
        "type": "modal",
        "root_view_id": "VROOT",
        "title": {"type": "plain_text", "text": "Are you sure?"},
        "close": {"type": "plain_text", "text": "Back"},
        "blocks": [{"type": "section", "block_id": "sure", "text": {"type": "plain_text", "text": "It is final."}}],
    }
    answer = {"ok": True, "response_action": "push", "view": pushed}
    alice.page.route(
        "**/api/v1/interactions/view-submission",
        lambda route: route.fulfill(status=200, content_type="application/json", body=json.dumps(answer)),
    )
    alice.page.route(
        "**/api/v1/interactions/view-closed",
        lambda route: route.fulfill(status=200, content_type="application/json", body='{"ok": true}'),
    )
    modal.locator("textarea").fill("a long enough reason")
    modal.locator("button[type=submit]").click()
    modal.locator("#app-modal-title", has_text="Are you sure?").wait_for()
    assert modal.locator("button[type=submit]").count() == 0  # the pushed view has no submit
    with alice.page.expect_request(lambda request: "interactions/view-closed" in request.url) as closed:
        modal.locator("button[aria-label=Back]").click()
    assert closed.value.post_data_json == {"view_id": "VPUSHED0001", "clear": False}
    modal.locator("#app-modal-title", has_text="Make a task").wait_for()
    assert modal.locator("button[aria-label=Back]").count() == 0


def test_an_update_answer_replaces_the_view_and_its_buttons_send_their_view(team, people, deployer):
    (alice,) = people(team.member)
    alice.open(channel_path(team, team.general))
    open_task_modal(alice)
    modal = alice.page.locator(MODAL)
    view_id = alice.page.evaluate("() => document.querySelector('dialog.app-modal form').dataset.viewId")
    updated = {
        "id": view_id,
        "type": "modal",
        "title": {"type": "plain_text", "text": "Pick a size"},
        "submit": {"type": "plain_text", "text": "Done"},
        "blocks": [
            {
                "type": "input",
                "block_id": "note",
                "optional": True,
                "label": {"type": "plain_text", "text": "Note"},
                "hint": {"type": "plain_text", "text": "Anything the team should know"},
                "element": {"type": "plain_text_input", "action_id": "text"},
            },
            {
                "type": "actions",
                "block_id": "size",
                "elements": [
                    {"type": "button", "action_id": "big", "value": "L", "text": {"type": "plain_text", "text": "Big"}}
                ],
            },
        ],
    }
    answer = {"ok": True, "response_action": "update", "view": updated}
    alice.page.route(
        "**/api/v1/interactions/view-submission",
        lambda route: route.fulfill(status=200, content_type="application/json", body=json.dumps(answer)),
    )
    alice.page.route(
        "**/api/v1/interactions/block-actions",
        lambda route: route.fulfill(status=200, content_type="application/json", body='{"ok": true}'),
    )
    modal.locator("textarea").fill("a long enough reason")
    modal.locator("button[type=submit]").click()
    modal.locator("#app-modal-title", has_text="Pick a size").wait_for()
    assert modal.locator("button[type=submit]").inner_text() == "Done"
    assert modal.locator(".bk-optional").inner_text().strip() == "(optional)"
    assert modal.locator(".bk-input__hint").inner_text() == "Anything the team should know"
    modal.locator("input").fill("blue")
    with alice.page.expect_request(lambda request: "interactions/block-actions" in request.url) as clicked:
        modal.locator(".bk-button", has_text="Big").click()
    body = clicked.value.post_data_json
    assert body["container"] == {"type": "view", "view_id": view_id}
    assert body["action"]["action_id"] == "big"
    assert body["state"]["values"]["note"]["text"]["value"] == "blue"
