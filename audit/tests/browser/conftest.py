"""The browser tests' live server, Chromium and signed-in people, as chat's browser tests have them."""

from chat.tests.browser.conftest import chromium, live_server_process, people, server  # noqa: F401  (fixtures)
