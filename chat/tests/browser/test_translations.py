"""The account pages in the person's language: their own choice first, else what the browser asks for."""

from __future__ import annotations

import pytest

from accounts.services import user_set_language
from chat.tests.browser.conftest import elsewhere

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_person_who_chose_german_sees_the_preferences_page_in_german(team, people):
    elsewhere(user_set_language, actor=team.member, language="de")
    (anna,) = people(team.member, locale="es-ES")
    page = anna.page
    page.goto("/accounts/preferences/")
    assert page.evaluate("() => document.documentElement.lang") == "de"
    assert page.title() == "Einstellungen · Slackclone"
    assert page.locator("h1").inner_text() == "Einstellungen"
    assert page.locator(".side-nav a[aria-current=page]").inner_text() == "Benachrichtigungen"
    assert page.get_by_label("Sprache").input_value() == "de"
    assert page.get_by_role("button", name="Einstellungen speichern").is_visible()
    anna.screenshot("preferences-de")

    page.get_by_label("Sprache").select_option("es")
    page.get_by_role("button", name="Einstellungen speichern").click()
    page.wait_for_load_state()
    assert page.locator(".alert--success").inner_text() == "Se han guardado tus preferencias."
    assert page.get_by_role("button", name="Guardar preferencias").is_visible()
