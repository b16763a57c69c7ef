"""Block Kit in the real client: a corpus of Slack's block and element types, and payloads built to inject
markup, render without errors or script; a click on an app that does not answer says so under the block."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from chat.block_kit import BlockKitInvalid, message_content
from chat.services import ephemeral_post, message_post
from chat.tests.browser.conftest import PUSH_TIMEOUT_MS, elsewhere
from chat.tests.browser.test_client import channel_path
from slack_apps.manifest import spec_from_options
from slack_apps.services import app_create

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CORPUS = json.loads((Path(__file__).parent / "blockkit_corpus.json").read_text())


def make_app(team, name: str = "Deployer"):
    app, _credentials = elsewhere(
        app_create, actor=team.admin, workspace=team.workspace, spec=spec_from_options(name=name)
    )
    return app


def test_the_corpus_renders_every_block_and_no_payload_runs_script(team, people):
    app = make_app(team)
    for case in CORPUS["valid"]:
        elsewhere(
            message_post,
            sender=app.bot_user,
            channel=team.general,
            text=case.get("text", case["name"]),
            blocks=case.get("blocks"),
            legacy_attachments=case.get("attachments"),
        )
    (alice,) = people(team.member)
    alice.open(channel_path(team, team.general))
    page = alice.page
    page.locator("#message-list .msg", has_text="line 49").wait_for()
    rows = page.locator("#message-list .msg")
    assert rows.count() == len(CORPUS["valid"])
    with_blocks = [case for case in CORPUS["valid"] if case.get("blocks")]
    assert page.locator("#message-list .bk").count() >= len(with_blocks)
    assert page.locator("#message-list .bk-header", has_text="Weekly report").count() == 1
    assert page.locator("#message-list .bk-fields .bk-field").count() >= 2
    assert page.locator("#message-list .bk-button--primary", has_text="Approve").count() == 1
    assert page.locator("#message-list select.bk-select").count() >= 5
    assert page.locator("#message-list input[type=date]").input_value() == "2026-12-05"
    assert page.locator("#message-list .bk-fallback").count() >= 2, "unknown types show a fallback"
    assert page.locator("#message-list ol.bk-rt-list li").count() == 3
    assert page.locator('#message-list ol.bk-rt-list[start="3"]', has_text="third").count() == 1
    assert page.locator("#message-list ul.bk-rt-indent-1", has_text="nested").count() == 1
    assert page.locator('#message-list .bk time[datetime="2025-12-05T10:20:00.000Z"]').count() == 1
    assert page.locator("#message-list .bk-rt-color", has_text="#36a64f").count() == 1
    assert page.locator("#message-list .att__title", has_text="Build #42").count() == 1
    assert page.locator("#message-list .bk-section__text", has_text="line 0").count() == 1
    xss = "<script>window.__pwned=1</script>"
    assert page.locator("#message-list .bk-header", has_text=xss).count() == 1, "markup shows as text"
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("#message-list script, #message-list [onerror], #message-list iframe").count() == 0
    hrefs = page.eval_on_selector_all("#message-list a[href]", "links => links.map(a => a.href)")
    assert hrefs
    assert all(href.startswith(("http://", "https://", "mailto:")) for href in hrefs), hrefs
    sources = page.eval_on_selector_all("#message-list img[src]", "images => images.map(i => i.src)")
    assert not [src for src in sources if "example.com" in src], "no third-party image is loaded"
    assert page.locator("#message-list a.bk-image-link", has_text="A chart (example.com)").count() == 1
    page.locator(".bk-header", has_text="Weekly report").scroll_into_view_if_needed()
    alice.screenshot("blocks")
    page.locator(".bk-button--primary", has_text="Approve").scroll_into_view_if_needed()
    alice.screenshot("blocks-elements")


@pytest.mark.parametrize("case", CORPUS["refused"], ids=[case["name"] for case in CORPUS["refused"]])
def test_payloads_the_server_refuses_never_reach_a_client(case):
    with pytest.raises(BlockKitInvalid) as refused:
        message_content("x", case.get("blocks"), case.get("attachments"))
    assert refused.value.pointer == case["pointer"]


def test_a_click_shows_pending_then_that_the_app_did_not_respond_and_a_confirm_can_be_declined(team, people):
    app = make_app(team, "Silent")
    blocks = [
        {"type": "section", "block_id": "ask", "text": {"type": "mrkdwn", "text": "Ship it?"}},
        {
            "type": "actions",
            "block_id": "decide",
            "elements": [
                {"type": "button", "action_id": "ship", "text": {"type": "plain_text", "text": "Ship"}, "value": "1"},
                {"type": "button", "action_id": "drop", "style": "danger",
                 "text": {"type": "plain_text", "text": "Drop"},
                 "confirm": {"title": {"type": "plain_text", "text": "Drop it?"},
                             "text": {"type": "mrkdwn", "text": "This cannot be undone."},
                             "confirm": {"type": "plain_text", "text": "Drop"},
                             "deny": {"type": "plain_text", "text": "Keep"}}},
            ],
        },
    ]  # fmt: skip
    elsewhere(message_post, sender=app.bot_user, channel=team.general, text="Ship it?", blocks=blocks)
    (alice,) = people(team.member)
    alice.open(channel_path(team, team.general))
    page = alice.page
    requests = []
    page.on("request", lambda request: "block-actions" in request.url and requests.append(request))
    page.locator(".bk-button", has_text="Drop").click()
    dialog = page.locator("dialog.modal", has_text="Drop it?")
    dialog.wait_for()
    dialog.locator("button", has_text="Keep").click()
    assert requests == []
    page.locator(".bk-button", has_text="Ship").click()
    pending = page.locator(".bk-button.bk--pending[aria-busy=true]", has_text="Ship")
    pending.wait_for()
    assert pending.is_disabled()
    error = page.locator(".bk-actions + .bk-error, .bk-error", has_text="did not respond")
    error.wait_for()
    assert "Silent" in error.inner_text()
    assert len(requests) == 1
    assert json.loads(requests[0].post_data)["action"]["action_id"] == "ship"
    assert page.locator(".bk-button", has_text="Ship").is_enabled()
    alice.screenshot("blocks-app-did-not-respond")
    # The browser logs the 504 it was answered; that one is expected.
    alice.errors[:] = [error for error in alice.errors if "status of 504" not in error]


def test_a_choice_in_an_ephemeral_message_is_pending_until_answered_and_says_why_it_failed(team, people):
    app = make_app(team, "Picker")
    (bob,) = people(team.member)
    bob.open(channel_path(team, team.general))
    page = bob.page
    held = []
    page.route("**/api/v1/interactions/block-actions", lambda route: held.append(route))
    blocks = [
        {
            "type": "section",
            "block_id": "env",
            "text": {"type": "mrkdwn", "text": "Where to *deploy*?"},
            "accessory": {
                "type": "static_select",
                "action_id": "pick",
                "placeholder": {"type": "plain_text", "text": "Environment"},
                "options": [
                    {"text": {"type": "plain_text", "text": "Staging"}, "value": "s"},
                    {"text": {"type": "plain_text", "text": "Production"}, "value": "p"},
                ],
            },
        }
    ]
    elsewhere(ephemeral_post, sender=app.bot_user, channel=team.general, recipient=team.member, text="x", blocks=blocks)
    select = page.locator(".msg--ephemeral select.bk-select")
    select.wait_for(timeout=PUSH_TIMEOUT_MS)
    assert page.locator(".msg--ephemeral .bk-section__text strong", has_text="deploy").count() == 1
    select.select_option("p")
    busy = page.locator(".msg--ephemeral select.bk-select[aria-busy=true]")
    busy.wait_for()
    assert busy.is_disabled()
    # The request leaves as the select turns busy, but Playwright hands it to the route's handler only as
    # it next reads the browser's events: read them until it has (at most a few seconds).
    deadline = time.monotonic() + 5
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(10)
    assert len(held) == 1
    sent = json.loads(held[0].request.post_data)
    assert sent["container"] == {
        "type": "message",
        "channel": team.general.public_id,
        "message_ts": sent["container"]["message_ts"],
        "is_ephemeral": True,
        "bot_id": app.bot_user.public_id,
    }
    assert sent["action"] == {
        "action_id": "pick",
        "block_id": "env",
        "type": "static_select",
        "selected_option": {"text": {"type": "plain_text", "text": "Production"}, "value": "p"},
    }
    assert sent["state"]["values"]["env"]["pick"]["selected_option"]["value"] == "p"
    held[0].fulfill(
        status=504,
        json={"error": {"code": "app_did_not_respond", "message": "Picker did not respond. Try again."}},
    )
    page.locator(".msg--ephemeral .bk-error", has_text="Picker did not respond. Try again.").wait_for()
    assert select.is_enabled()
    assert select.get_attribute("aria-busy") is None
    bob.errors[:] = [error for error in bob.errors if "status of 504" not in error]
