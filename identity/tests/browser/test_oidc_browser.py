"""A person signs in through the OpenID Connect provider's real login page in Chromium and lands in the
workspace: the live server (chat/tests/browser's LiveServer, a Daphne process) and oidc-provider (Node),
each started and stopped by pid."""

from __future__ import annotations

import pytest

from accounts.models import User
from chat.tests.browser.conftest import ARTIFACTS, LiveServer, launched_chromium
from identity.tests.conftest import PROVIDER_ID, SLUG, make_provider, start_node_idp
from slackclone.testing.factories import DEFAULT_PASSWORD, workspace_with_owner
from slackclone.testing.processes import stop
from workspaces.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture(scope="module")
def live(django_db_setup, django_db_blocker, tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("oidc-browser-var"))
    idp = start_node_idp(f"{server.url}/auth/oidc/{PROVIDER_ID}/login/callback/")
    try:
        yield server, idp
    finally:
        stop(idp.process)
        stop(server.process)


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


def test_signing_in_on_the_providers_login_page_lands_in_the_workspace(live, browser, transactional_db):
    server, idp = live
    workspace = workspace_with_owner(slug=SLUG, name="Acme")
    make_provider(workspace, idp.issuer)
    context = browser.new_context(base_url=server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"/{SLUG}/")
        assert "/accounts/login/" in page.url
        page.click("button[data-provider='acme-acme-sso']")
        page.wait_for_selector("input[name=login]")  # oidc-provider's own sign-in page
        assert page.url.startswith(idp.issuer)
        page.fill("input[name=login]", "alice")
        page.fill("input[name=password]", "secret")
        page.click("button[type=submit]")
        page.wait_for_selector("button[type=submit]:has-text('Continue')")  # its consent page
        page.click("button[type=submit]")
        page.wait_for_url(f"{server.url}/{SLUG}/**")
        page.wait_for_selector("body.client-ready")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "oidc-signed-in.png"))
    finally:
        context.close()
    alice = User.objects.get(email="alice@acme.test")
    assert Membership.objects.filter(user=alice, workspace=workspace, is_active=True).exists()


def test_the_owner_sees_the_provider_on_the_single_sign_on_page(live, browser, transactional_db):
    server, idp = live
    workspace = workspace_with_owner(slug=SLUG, name="Acme")
    make_provider(workspace, idp.issuer, group_roles={"admins": "admin"})
    owner = workspace.created_by
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"/accounts/login/?next=/{SLUG}/admin/sso/")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "identity-sign-in-buttons.png"))
        page.fill("input[name=username]", owner.email)
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.click("form[action='/accounts/login/'] button[type=submit]")
        page.wait_for_url(f"{server.url}/{SLUG}/admin/sso/")
        row = page.locator(f"tr[data-provider='{PROVIDER_ID}']")
        assert "Acme SSO" in row.inner_text()
        assert f"/auth/oidc/{PROVIDER_ID}/login/callback/" in row.locator("input.secret").input_value()
        page.screenshot(path=str(ARTIFACTS / "identity-sso-admin.png"), full_page=True)
    finally:
        context.close()
