from __future__ import annotations

import pytest

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
