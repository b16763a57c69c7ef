"""The browser tests' live server and Chromium (chat/tests/browser/conftest.py), for the LDAP pages."""

from chat.tests.browser.conftest import chromium, live_server_process, people, server  # noqa: F401
