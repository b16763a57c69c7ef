"""A person signs in with SAML in Chromium: from our sign-in URL to the IdP's own page (saml-idp, a real
IdP in its own process) and back through our ACS, landing signed in. Service-provider initiated, so the
IdP's answer carries the InResponseTo of our request, which allauth matches with the state it stashed."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount

from audit.models import AuditAction, AuditEvent
from identity.saml.services import saml_provider_create, sp_metadata_url
from slackclone.testing.factories import UserFactory, add_member

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SUBJECT = "saml.jackson@example.com"  # saml-idp's default user


def landed(base_url: str):
    return lambda url: url.startswith(base_url) and "/auth/saml/" not in url


@pytest.fixture
def server(live_server_process, transactional_db):
    return live_server_process


def test_a_person_signs_in_through_the_idps_page_and_lands_signed_in(server, chromium, saml_idp, team):
    provider = saml_provider_create(
        actor=team.owner, workspace=team.workspace, name="Corp SSO", metadata_url=saml_idp.metadata_url
    )
    org = provider.social_app.client_id
    # The IdP's configured audience is our entity id; the ACS URL comes in our AuthnRequest.
    saml_idp.point_at(acs_url=f"{server.url}/auth/saml/{org}/acs/", audience=sp_metadata_url(provider))
    person = add_member(team.workspace, UserFactory(email=SUBJECT, full_name="Saml Jackson"))
    SocialAccount.objects.create(user=person, provider=provider.provider_id, uid=SUBJECT)

    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(f"{server.url}/auth/saml/{org}/login/")
        page.locator("main form button[type=submit], main form input[type=submit]").first.click()
        page.wait_for_url(f"{saml_idp.url}/**")
        assert page.locator("#requestId").inner_text().startswith("ONELOGIN_")  # our AuthnRequest arrived
        # The IdP's page is a form of the user it asserts (other tests may have left another one in it).
        page.fill("#userName", SUBJECT)
        page.fill("#email", SUBJECT)
        page.locator("#btn-sign-in").click()
        # The IdP's form posts to our ACS, which redirects to finish it, which redirects to where we land.
        try:
            page.wait_for_url(landed(server.url), wait_until="commit", timeout=60_000)
        except Exception as timeout:  # say where it stopped: an error page names the reason
            raise AssertionError(f"stopped at {page.url}: {page.inner_text('body')[:1000]}") from timeout
        assert "/accounts/login" not in page.url
        assert "/auth/saml/" not in page.url
        profile = page.goto(f"{server.url}/accounts/profile/")
        assert profile is not None
        assert profile.status == 200
        assert page.url == f"{server.url}/accounts/profile/"
    finally:
        context.close()
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN, actor=person)
    assert event.data == {"method": f"saml:{provider.provider_id}", "surface": "web"}
