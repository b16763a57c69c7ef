"""An app's page in real Chromium against the live server, with an unmodified Bolt app in Socket Mode: the
DM with its bot (from the sidebar, or its name on a message) has Home and Messages tabs, a proper tablist;
Home shows the view the app publishes when told the tab opened, and a new publish shows at once."""

from __future__ import annotations

import pytest

from chat.services import dm_open
from chat.tests.browser.conftest import elsewhere
from chat.tests.browser.test_client import channel_path
from chat.tests.browser.test_modals import APP_WAIT_MS

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

HOME_TAB = "#app-tab-home"
MESSAGES_TAB = "#app-tab-messages"


def selected(page, tab: str) -> bool:
    return page.locator(tab).get_attribute("aria-selected") == "true"


def test_the_dm_with_an_apps_bot_has_home_and_messages_tabs(team, people, deployer):
    app, bolt = deployer
    elsewhere(dm_open, actor=team.member, workspace=team.workspace, users=[app.bot_user])
    (alice,) = people(team.member)
    alice.open(channel_path(team, team.general))
    page = alice.page
    page.locator("#sidebar .side-item", has_text="Deployer").click()
    page.locator("#app-tabs[role=tablist]").wait_for(timeout=APP_WAIT_MS)
    assert selected(page, MESSAGES_TAB)
    assert page.locator("#app-home").is_hidden()

    with page.expect_request(lambda request: request.url.endswith("/home/opened")) as opened:
        page.locator(HOME_TAB).click()
    assert opened.value.post_data_json == {"tab": "home"}
    page.locator("#app-home .bk-header", has_text="Deployer home").wait_for(timeout=APP_WAIT_MS)
    assert selected(page, HOME_TAB)
    assert not selected(page, MESSAGES_TAB)
    assert page.locator(HOME_TAB).get_attribute("tabindex") == "0"
    assert page.locator(MESSAGES_TAB).get_attribute("tabindex") == "-1"
    assert page.locator("#messages").is_hidden()
    assert page.locator("#app-home").get_attribute("role") == "tabpanel"
    alice.screenshot("app-home")

    bolt.client.views_publish(
        user_id=team.member.public_id,
        view={"type": "home", "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "Deploying api"}}]},
    )
    page.locator("#app-home .bk-header", has_text="Deploying api").wait_for(timeout=APP_WAIT_MS)

    with page.expect_request(lambda request: request.url.endswith("/home/opened")) as opened:
        page.keyboard.press("ArrowRight")
    assert opened.value.post_data_json == {"tab": "messages"}
    assert selected(page, MESSAGES_TAB)
    assert page.evaluate("() => document.activeElement.id") == "app-tab-messages"
    assert page.locator("#messages").is_visible()
    assert page.locator("#app-home").is_hidden()
    page.keyboard.press("Home")
    assert selected(page, HOME_TAB)
    assert page.evaluate("() => document.activeElement.id") == "app-tab-home"


def test_an_apps_name_on_its_message_opens_its_home(team, people, deployer):
    _, bolt = deployer
    (alice,) = people(team.member)
    alice.open(channel_path(team, team.general))
    bolt.client.chat_postMessage(channel=team.general.public_id, text="Deploy finished")
    row = alice.page.locator(".msg", has=alice.page.locator(".msg__text", has_text="Deploy finished"))
    row.wait_for(timeout=APP_WAIT_MS)
    row.locator(".msg__author").click()
    alice.page.locator("#app-home .bk-header", has_text="Deployer home").wait_for(timeout=APP_WAIT_MS)
    assert selected(alice.page, HOME_TAB)
    assert alice.page.evaluate("() => document.activeElement.id") == "app-tab-home"


def test_a_person_is_still_a_profile_and_their_dm_has_no_tabs(team, people):
    dm, _ = elsewhere(dm_open, actor=team.member, workspace=team.workspace, users=[team.other_member])
    (alice,) = people(team.member)
    alice.open(channel_path(team, dm))
    alice.page.locator("#composer").wait_for()
    assert alice.page.locator("#app-tabs").count() == 0
