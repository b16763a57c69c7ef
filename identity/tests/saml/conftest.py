from __future__ import annotations

import pytest

# The browser tests' live server and Chromium (one Daphne process on the test database), as fixtures of this
# package: Playwright keeps an event loop on the thread while Chromium runs, so it must stop with the package.
from chat.tests.browser.conftest import chromium, live_server_process  # noqa: F401  (fixtures)
from identity.tests.saml.support import start_saml_idp
from slackclone.testing.processes import stop


@pytest.fixture(scope="package")
def saml_idp(tmp_path_factory):
    """saml-idp, started once for these tests with a signing key of its own, stopped by its pid."""
    idp = start_saml_idp(tmp_path_factory.mktemp("saml-idp"))
    try:
        yield idp
    finally:
        stop(idp.process)
