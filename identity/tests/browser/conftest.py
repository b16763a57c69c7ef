"""Browser tests of passkeys: headless Chromium with the DevTools protocol's virtual authenticator, against
the live server of chat/tests/browser/conftest.py (one Daphne process on the test database).

WebAuthn needs a secure context and a domain for the relying party id (an IP address is refused), so the
browser opens the server as http://localhost:<port>, which browsers treat as secure.
"""

from __future__ import annotations

import pytest

from chat.tests.browser.conftest import LiveServer, launched_chromium, wait_until_the_server_is_idle
from slackclone.testing.processes import stop

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture(scope="package")
def passkey_server(django_db_setup, django_db_blocker, tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("passkey-var"))
    server.url = f"http://localhost:{server.port}"
    try:
        yield server
    finally:
        stop(server.process)


@pytest.fixture(scope="package")
def passkey_chromium():
    with launched_chromium() as browser:
        yield browser


class PasskeyBrowser:
    """One browser context with a virtual platform authenticator (like a laptop's fingerprint reader) that
    keeps discoverable credentials and verifies its user at once."""

    def __init__(self, browser, server: LiveServer) -> None:
        self.context = browser.new_context(base_url=server.url, viewport={"width": 1100, "height": 860})
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        self.cdp = self.context.new_cdp_session(self.page)
        self.cdp.send("WebAuthn.enable")
        options = {
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": True,
            "hasUserVerification": True,
            "isUserVerified": True,
            "automaticPresenceSimulation": True,
        }
        self.authenticator_id = self.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})[
            "authenticatorId"
        ]

    def credentials(self) -> list[dict]:
        return self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.authenticator_id})["credentials"]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def passkey_browser(passkey_chromium, passkey_server, transactional_db):
    browser = PasskeyBrowser(passkey_chromium, passkey_server)
    yield browser
    browser.close()
    wait_until_the_server_is_idle()
    assert not browser.errors, browser.errors
