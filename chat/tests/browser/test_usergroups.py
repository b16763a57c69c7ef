"""A user group's mention typed in the composer, in real Chromium with two people (see conftest.py)."""

from __future__ import annotations

import pytest

from chat.models import Mention
from chat.services import channel_join
from chat.tests.browser.conftest import PUSH_TIMEOUT_MS, elsewhere
from chat.tests.browser.test_client import COMPOSER, channel_path, message
from workspaces.services import usergroup_create

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_group_picked_in_the_composer_mentions_bob_and_his_badge_shows_it_live(team, people):
    channel_join(actor=team.member, channel=team.random)
    alice, bob = people(team.owner, team.member)
    alice.open(channel_path(team, team.general))
    bob.open(channel_path(team, team.random))
    # Made while both pages are open: subteam_created reaches them, so autocomplete offers it at once.
    group = elsewhere(
        usergroup_create,
        actor=team.admin,
        workspace=team.workspace,
        name="Design Team",
        handle="design-team",
        users=[team.member.public_id, team.admin.public_id],
    )
    alice.page.wait_for_function(
        "id => window.slackclone.store.usergroups.has(id)", arg=group.public_id, timeout=PUSH_TIMEOUT_MS
    )

    alice.page.fill(COMPOSER, "@desi")
    suggestion = alice.page.locator(".suggest__item", has_text="Design Team")
    suggestion.wait_for(timeout=PUSH_TIMEOUT_MS)
    assert "@design-team" in suggestion.inner_text()
    alice.screenshot("usergroup-autocomplete")
    alice.page.press(COMPOSER, "Tab")
    assert alice.page.input_value(COMPOSER) == "@design-team "
    alice.page.type(COMPOSER, "please review the mockups")
    alice.page.press(COMPOSER, "Enter")

    general = bob.page.locator(f".side-item[data-channel='{team.general.public_id}']")
    badge = general.locator(".badge-count")
    badge.wait_for(timeout=PUSH_TIMEOUT_MS)
    assert badge.inner_text() == "1"
    general.click()
    row = message(bob, "please review the mockups")
    row.wait_for()
    chip = row.locator(".mention--group")
    assert chip.inner_text() == "@design-team"
    assert "mention--me" in chip.get_attribute("class")
    assert "msg--mention" in row.get_attribute("class")
    bob.screenshot("usergroup-mention")
    mentioned = Mention.objects.filter(message__text__contains=f"<!subteam^{group.public_id}")
    assert set(mentioned.values_list("user__public_id", flat=True)) == {team.member.public_id, team.admin.public_id}
