"""A person adds a passkey in the browser (Chromium's virtual authenticator answers as a laptop's built-in one
would) and later signs in with it alone, without a password; the same key also serves as the second factor
after a password."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator

from chat.tests.browser.conftest import ARTIFACTS
from slackclone.testing.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _password_sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state()


def _add_passkey(page, name: str) -> None:
    page.goto("/auth/2fa/webauthn/add/")
    if "/auth/reauthenticate/" in page.url:  # adding a key asks for the password again first
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_url("**/auth/2fa/webauthn/add/")
    page.fill("input[name=name]", name)
    page.check("input[name=passwordless]")
    _shot(page, "mfa-add-passkey")
    page.click("#mfa_webauthn_add")
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)


def test_a_passkey_added_in_the_browser_signs_in_without_a_password(passkey_browser):
    person = UserFactory()
    page = passkey_browser.page
    _password_sign_in(page, person.email)
    _add_passkey(page, "Laptop")
    key = Authenticator.objects.get(user=person, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "Laptop"
    assert key.wrap().is_passwordless is True
    assert len(passkey_browser.credentials()) == 1
    page.goto("/auth/2fa/webauthn/")
    assert "Laptop" in page.content()
    _shot(page, "mfa-passkeys")
    page.goto("/auth/2fa/totp/activate/")
    assert page.locator("img.mfa-qr").is_visible()
    _shot(page, "mfa-activate-app")
    page.goto("/auth/2fa/")
    _shot(page, "mfa-overview")

    passkey_browser.context.clear_cookies()  # signed out
    page.goto("/accounts/login/?next=/accounts/profile/")
    _shot(page, "login-with-passkey")
    page.click("#passkey_login")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert page.url.endswith("/accounts/profile/")
    assert page.inner_text(".topbar__name") == person.name


def test_a_passkey_is_the_second_factor_after_the_password(passkey_browser):
    person = UserFactory()
    page = passkey_browser.page
    _password_sign_in(page, person.email)
    _add_passkey(page, "Laptop")
    passkey_browser.context.clear_cookies()

    _password_sign_in(page, person.email)
    page.wait_for_url("**/auth/2fa/authenticate/")
    _shot(page, "mfa-authenticate")
    page.click("#mfa_webauthn_authenticate")
    page.wait_for_url(lambda url: "/auth/2fa/" not in url and "/accounts/login/" not in url)
    page.goto("/accounts/profile/")
    assert page.url.endswith("/accounts/profile/")
    assert page.inner_text(".topbar__name") == person.name
