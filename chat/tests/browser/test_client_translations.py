"""The client in the person's language: their own choice first, else what the browser asks for, else English."""

from __future__ import annotations

import pytest

from accounts.services import user_set_language
from chat.services import message_post
from chat.tests.browser.conftest import elsewhere
from chat.tests.browser.test_client import channel_path, message

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def post_with_two_replies(team, text: str) -> None:
    root = elsewhere(message_post, sender=team.owner, channel=team.general, text=text)
    for reply in ("first answer", "second answer"):
        elsewhere(message_post, sender=team.owner, channel=team.general, text=reply, thread_ts=root.ts)


def test_a_person_who_chose_german_gets_the_client_in_german_whatever_the_browser_asks(team, people):
    post_with_two_replies(team, "Guten Morgen zusammen")
    elsewhere(user_set_language, actor=team.member, language="de")
    (anna,) = people(team.member, locale="es-ES")
    anna.open(channel_path(team, team.general))
    page = anna.page
    assert page.evaluate("() => document.documentElement.lang") == "de"
    page.locator(".sidebar", has_text="Direktnachrichten").wait_for()
    assert page.get_attribute("#composer textarea", "placeholder") == "Nachricht an #general"
    row = message(anna, "Guten Morgen zusammen")
    assert row.locator(".thread-summary__count").inner_text() == "2 Antworten"
    assert page.locator(".day-divider").first.inner_text() == "Heute"
    anna.screenshot("client-de")


def test_without_a_choice_the_browser_language_is_used_and_english_is_the_fallback(team, people):
    elsewhere(message_post, sender=team.owner, channel=team.general, text="hola a todos")
    (ana,) = people(team.member, locale="es-ES")
    ana.open(channel_path(team, team.general))
    assert ana.page.evaluate("() => document.documentElement.lang") == "es"
    ana.page.locator(".sidebar", has_text="Mensajes directos").wait_for()
    assert ana.page.locator(".day-divider").first.inner_text() == "Hoy"

    (bob,) = people(team.owner, locale="ja-JP")
    bob.open(channel_path(team, team.general))
    assert bob.page.evaluate("() => document.documentElement.lang") == "en"
    bob.page.locator(".sidebar", has_text="Direct messages").wait_for()
