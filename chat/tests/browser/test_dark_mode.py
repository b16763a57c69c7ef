"""Dark mode in Chromium: the client follows the system's setting, and a person's choice in preferences
overrides it."""

from __future__ import annotations

import pytest

from accounts.services import user_set_theme
from chat.services import message_post
from chat.tests.browser.conftest import elsewhere
from chat.tests.browser.test_client import channel_path

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DARK_TEXT = "rgb(209, 210, 211)"
LIGHT_TEXT = "rgb(29, 28, 29)"


def text_colour(person) -> str:
    return person.page.evaluate("() => getComputedStyle(document.body).color")


def test_the_client_follows_the_system_until_a_theme_is_chosen(team, people):
    elsewhere(message_post, sender=team.owner, channel=team.general, text="good evening")
    (alice,) = people(team.member)
    alice.page.emulate_media(color_scheme="dark")
    alice.open(channel_path(team, team.general))
    assert text_colour(alice) == DARK_TEXT
    alice.screenshot("client-dark")
    elsewhere(user_set_theme, actor=team.member, theme="light")
    alice.open(channel_path(team, team.general))
    assert text_colour(alice) == LIGHT_TEXT
    alice.page.emulate_media(color_scheme="light")
    elsewhere(user_set_theme, actor=team.member, theme="dark")
    alice.open(channel_path(team, team.general))
    assert text_colour(alice) == DARK_TEXT
