"""Identity providers for the tests, each a real process started and stopped by its pid:

- `node_idp`: panva's oidc-provider (identity/tests/idp/oidc_idp.mjs), with its own login page;
- `crafted_idp`: identity/tests/idp/crafted_idp.py, which answers tampered, expired and foreign tokens.

Both serve on 127.0.0.1, which settings_test lets slackclone.outgoing reach.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

from identity.services import identity_provider_create_oidc
from slackclone.testing.factories import workspace_with_owner
from slackclone.testing.processes import free_port, stop, wait_for_port

IDP_DIR = Path(__file__).parent / "idp"
BASE_DIR = IDP_DIR.parent.parent.parent
SLUG = "acme"
PROVIDER_NAME = "Acme SSO"
PROVIDER_ID = f"{SLUG}-acme-sso"  # what identity_provider_create_oidc makes of SLUG and PROVIDER_NAME
CLIENT_ID, CLIENT_SECRET = "slackclone-test", "test-client-secret"
CALLBACK_PATH = f"/auth/oidc/{PROVIDER_ID}/login/callback/"


@dataclass
class IdP:
    issuer: str
    process: subprocess.Popen


def start_node_idp(*redirect_uris: str) -> IdP:
    node = shutil.which("node")
    if node is None or not (BASE_DIR / "node_modules" / "oidc-provider").exists():
        pytest.fail("node and node_modules/oidc-provider are needed: `make test` installs them (npm ci).")
    port = free_port()
    process = subprocess.Popen(
        [node, str(IDP_DIR / "oidc_idp.mjs"), str(port), CLIENT_ID, CLIENT_SECRET, ",".join(redirect_uris)],
        cwd=BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, process)
    return IdP(f"http://127.0.0.1:{port}", process)


@pytest.fixture(scope="session")
def node_idp():
    idp = start_node_idp(f"http://testserver{CALLBACK_PATH}")
    try:
        yield idp
    finally:
        stop(idp.process)


@pytest.fixture(scope="session")
def crafted_idp():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(IDP_DIR / "crafted_idp.py"), str(port), CLIENT_ID, CLIENT_SECRET],
        stdout=subprocess.DEVNULL,
    )
    wait_for_port(port, process)
    try:
        yield IdP(f"http://127.0.0.1:{port}", process)
    finally:
        stop(process)


@pytest.fixture
def acme(db):
    """The workspace the providers belong to (slug "acme"), and its owner."""
    return workspace_with_owner(slug=SLUG, name="Acme")


def make_provider(workspace, issuer: str, **rules):
    rules = {"trust_email": True, "allowed_domains": ["acme.test"], **rules}
    return identity_provider_create_oidc(
        actor=None,
        workspace=workspace,
        name=PROVIDER_NAME,
        issuer=issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        scopes="openid email profile groups",
        **rules,
    )


def start_sign_in(client, next_url: str = f"/{SLUG}/") -> str:
    """Press "Sign in with Acme SSO": the provider's authorization URL we are sent to."""
    page = client.post(f"/auth/oidc/{PROVIDER_ID}/login/", {"next": next_url, "process": "login"})
    assert page.status_code == 302, page.content[:300]
    return page["Location"]


def through_node_idp(client, login: str, password: str = "secret", next_url: str = f"/{SLUG}/"):
    """Sign in on oidc-provider's own login page (and its consent page) like a browser, then hand the
    answer to our callback with the test client. Returns our callback's response."""
    browser = requests.Session()
    answer = browser.get(start_sign_in(client, next_url), allow_redirects=False)
    for _ in range(10):
        if answer.is_redirect:
            location = urljoin(answer.url, answer.headers["Location"])
            if location.startswith("http://testserver/"):
                parts = urlsplit(location)
                return client.get(f"{parts.path}?{parts.query}")
            answer = browser.get(location, allow_redirects=False)
            continue
        assert answer.status_code == 200, (answer.status_code, answer.text[:300])
        action = urljoin(answer.url, re.search(r'<form[^>]*action="([^"]+)"', answer.text).group(1))
        prompt = re.search(r'name="prompt" value="(\w+)"', answer.text).group(1)
        data = {"prompt": prompt, "login": login, "password": password} if prompt == "login" else {"prompt": prompt}
        answer = browser.post(action, data=data, allow_redirects=False)
    raise AssertionError("the provider never sent us back")


def code_for(order: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(order).encode()).decode().rstrip("=")


def through_crafted_idp(client, *, scenario: str = "ok", **claims):
    """Start a sign-in, then come back to our callback with the answer the crafted provider is told to give."""
    query = parse_qs(urlsplit(start_sign_in(client)).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["nonce"][0]
    order = {"scenario": scenario, "nonce": query["nonce"][0], "sub": "crafted-sub", "email": "erin@acme.test"}
    order.update(claims)
    return client.get(f"{CALLBACK_PATH}?code={code_for(order)}&state={query['state'][0]}")
