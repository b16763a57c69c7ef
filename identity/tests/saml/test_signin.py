"""Signing in with SAML through the ACS, at the HTTP level, with responses from a real IdP (saml-idp) and
ones re-signed with its key: what is accepted, what is refused, and what the audit log says."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from audit.models import AuditAction, AuditEvent
from identity.models import SAMLAssertionUse
from identity.saml.services import saml_provider_create, sp_metadata_url
from identity.tests.saml import support
from slackclone.testing.factories import UserFactory, add_member

pytestmark = pytest.mark.django_db

SUBJECT = "sam@corp.example"
# Browsers always send Host; python3-saml refuses single-label hosts such as the test client's "testserver".
HOST = "127.0.0.1"


@pytest.fixture
def provider(team, saml_idp):
    provider = saml_provider_create(
        actor=team.owner, workspace=team.workspace, name="Corp SSO", metadata_url=saml_idp.metadata_url
    )
    org = provider.social_app.client_id
    saml_idp.point_at(acs_url=f"http://{HOST}/auth/saml/{org}/acs/", audience=sp_metadata_url(provider))
    return provider


@pytest.fixture
def linked_person(team, provider):
    """Someone whose account is already linked to the IdP's subject (a later sign-in)."""
    person = add_member(team.workspace, UserFactory(email=SUBJECT))
    SocialAccount.objects.create(user=person, provider=provider.provider_id, uid=SUBJECT)
    return person


def post_to_acs(client, provider, saml_response: str, relay_state: str = ""):
    """What the browser does with the IdP's auto-submitting form, then allauth's redirect to finish."""
    org = provider.social_app.client_id
    posted = client.post(
        f"/auth/saml/{org}/acs/", {"SAMLResponse": saml_response, "RelayState": relay_state}, HTTP_HOST=HOST
    )
    assert posted.status_code == 302, posted
    return client.get(posted["Location"], HTTP_HOST=HOST)


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def failure_events(provider):
    return AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED, workspace=provider.workspace)


def test_an_idp_initiated_sign_in_signs_the_linked_person_in(client, saml_idp, provider, linked_person):
    response = saml_idp.idp_initiated_response(user_name=SUBJECT, email=SUBJECT)
    page = post_to_acs(client, provider, response, relay_state="/accounts/profile/")
    assert page.status_code == 302
    assert page["Location"] == "/accounts/profile/"
    assert signed_in_user_id(client) == str(linked_person.pk)
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN, actor=linked_person)
    assert event.data == {"method": f"saml:{provider.provider_id}", "surface": "web"}
    assert event.workspace is None  # an account event: the workspace's owners see their members'


def test_a_replayed_assertion_is_refused(client, saml_idp, provider, linked_person):
    response = saml_idp.idp_initiated_response(user_name=SUBJECT, email=SUBJECT)
    post_to_acs(client, provider, response)
    assert signed_in_user_id(client) == str(linked_person.pk)
    thief = Client()
    page = post_to_acs(thief, provider, response)
    assert page.status_code == 401
    assert signed_in_user_id(thief) is None
    assert failure_events(provider).get().data["errors"] == ["replayed_assertion"]
    assert SAMLAssertionUse.objects.filter(provider=provider).count() == 1


def test_an_unsigned_assertion_is_refused(client, saml_idp, provider, linked_person):
    document = support.decode(saml_idp.idp_initiated_response(user_name=SUBJECT, email=SUBJECT))
    page = post_to_acs(client, provider, support.encode(support.strip_signatures(document)))
    assert signed_in_user_id(client) is None
    assert page.status_code == 401
    event = failure_events(provider).get()
    assert event.data["method"] == f"saml:{provider.provider_id}"
    assert "Signature" in event.data["reason"] or "signed" in event.data["reason"]


def test_an_assertion_signed_by_another_key_is_refused(client, saml_idp, provider, linked_person, tmp_path):
    other_key, other_cert = support.make_key_pair(tmp_path, "intruder")
    document = support.decode(saml_idp.idp_initiated_response(user_name=SUBJECT, email=SUBJECT))
    support.sign_assertion(support.strip_signatures(document), other_key, other_cert)
    post_to_acs(client, provider, support.encode(document))
    assert signed_in_user_id(client) is None
    assert "Signature validation failed" in failure_events(provider).get().data["reason"]


def test_a_response_re_signed_by_the_idp_key_is_accepted(client, saml_idp, provider, linked_person):
    """The control for the crafted cases below: our re-signing alone does not make a response fail."""
    document = support.decode(saml_idp.idp_initiated_response(user_name=SUBJECT, email=SUBJECT))
    support.sign_assertion(support.strip_signatures(document), saml_idp.key, saml_idp.cert)
    post_to_acs(client, provider, support.encode(document))
    assert signed_in_user_id(client) == str(linked_person.pk)


@pytest.mark.parametrize("audience", ["https://other-app.example/saml/metadata", None])
def test_an_assertion_for_another_audience_or_none_is_refused(client, saml_idp, provider, linked_person, audience):
    document = support.decode(saml_idp.idp_initiated_response(user_name=SUBJECT, email=SUBJECT))
    support.set_audience(support.strip_signatures(document), audience)
    support.sign_assertion(document, saml_idp.key, saml_idp.cert)
    post_to_acs(client, provider, support.encode(document))
    assert signed_in_user_id(client) is None
    event = failure_events(provider).get()
    # python3-saml refuses another audience; our own rule refuses an assertion that names none.
    assert "audience" in event.data["reason"]
    assert event.data["errors"] == (["wrong_audience"] if audience is None else ["invalid_response"])


def test_a_response_for_another_acs_url_is_refused(client, saml_idp, provider, linked_person):
    """The Recipient and Destination name our ACS URL; a response minted for another one is refused."""
    saml_idp.point_at(acs_url=f"http://{HOST}/auth/saml/elsewhere/acs/", audience=sp_metadata_url(provider))
    response = saml_idp.idp_initiated_response(user_name=SUBJECT, email=SUBJECT)
    post_to_acs(client, provider, response)
    assert signed_in_user_id(client) is None
    assert "was received at" in failure_events(provider).get().data["reason"]


def test_idp_initiated_sign_in_can_be_turned_off(client, saml_idp, provider, linked_person):
    from identity.saml.services import saml_provider_update

    saml_provider_update(actor=None, provider=provider, idp_initiated=False)
    response = saml_idp.idp_initiated_response(user_name=SUBJECT, email=SUBJECT)
    post_to_acs(client, provider, response)
    assert signed_in_user_id(client) is None


def test_a_disabled_provider_signs_nobody_in(client, saml_idp, provider, linked_person):
    from identity.saml.services import saml_provider_update

    saml_provider_update(actor=None, provider=provider, enabled=False)
    response = saml_idp.idp_initiated_response(user_name=SUBJECT, email=SUBJECT)
    page = post_to_acs(client, provider, response)
    assert page.status_code in (401, 404)  # refused here, or (with the adapter hiding disabled apps) not found
    assert signed_in_user_id(client) is None
    assert not AuditEvent.objects.filter(action=AuditAction.SIGN_IN).exists()


def test_an_unknown_subject_is_not_signed_in_by_email_alone(client, saml_idp, provider, team):
    """Someone with the same email but no link to this subject is not taken over."""
    add_member(team.workspace, UserFactory(email=SUBJECT))
    response = saml_idp.idp_initiated_response(user_name="someone-else", email=SUBJECT)
    post_to_acs(client, provider, response)
    assert signed_in_user_id(client) is None


def test_our_metadata_names_the_acs_url_and_our_entity_id(client, provider):
    org = provider.social_app.client_id
    page = client.get(f"/auth/saml/{org}/metadata/", HTTP_HOST=HOST)
    assert page.status_code == 200
    xml = page.content.decode()
    assert f'entityID="{sp_metadata_url(provider)}"' in xml
    assert f"/auth/saml/{org}/acs/" in xml
    assert 'WantAssertionsSigned="true"' in xml


def test_security_settings_edited_in_the_admin_do_not_let_an_unsigned_assertion_in(
    client, saml_idp, provider, linked_person
):
    app = provider.social_app
    app.settings["advanced"].update({"strict": False, "want_assertion_signed": False})
    app.save()
    document = support.decode(saml_idp.idp_initiated_response(user_name=SUBJECT, email=SUBJECT))
    post_to_acs(client, provider, support.encode(support.strip_signatures(document)))
    assert signed_in_user_id(client) is None


def test_the_sign_in_page_may_lead_to_the_idp_and_nowhere_else(client, saml_idp, provider):
    page = client.get(f"/auth/saml/{provider.social_app.client_id}/login/", HTTP_HOST=HOST)
    assert page.status_code == 200
    assert page["Content-Security-Policy"].endswith(f"form-action 'self' {saml_idp.url}")


def test_what_the_assertion_says_is_read_for_provisioning(rf, saml_idp, provider):
    """The claims handed to just-in-time provisioning, read from a real IdP's verified response."""
    from allauth.socialaccount.providers.saml.utils import build_auth

    from identity.saml.signin import SAMLClaims, claims_from

    response = saml_idp.idp_initiated_response(
        user_name="sam-123", email="Sam@Corp.Example", name="Sam Jackson", groups="Engineering,Ops"
    )
    request = rf.post(f"/auth/saml/{provider.social_app.client_id}/acs/", {"SAMLResponse": response}, HTTP_HOST=HOST)
    auth = build_auth(request, provider.social_app.get_provider(request))
    auth.process_response()
    assert auth.get_errors() == []
    assert claims_from(provider, auth, auth.get_nameid()) == SAMLClaims(
        subject="sam-123",
        email="sam@corp.example",
        email_verified=True,
        name="Sam Jackson",
        groups=["Engineering", "Ops"],
    )


def test_a_first_sign_in_from_an_allowed_domain_provisions_a_member(client, saml_idp, team):
    """Just-in-time provisioning is identity.provisioning's (shared with OpenID Connect); this checks that SAML
    hands it what the assertion says. Skipped until that module is merged in."""
    pytest.importorskip("identity.provisioning")
    from accounts.models import User
    from workspaces.models import Membership

    provider = saml_provider_create(
        actor=None,
        workspace=team.workspace,
        name="Corp SSO",
        metadata_url=saml_idp.metadata_url,
        trust_email=True,
        allowed_domains=["corp.example"],
    )
    org = provider.social_app.client_id
    saml_idp.point_at(acs_url=f"http://{HOST}/auth/saml/{org}/acs/", audience=sp_metadata_url(provider))
    response = saml_idp.idp_initiated_response(user_name="new-person-1", email="new@corp.example", name="New Person")
    post_to_acs(client, provider, response)
    person = User.objects.get(email="new@corp.example")
    assert signed_in_user_id(client) == str(person.pk)
    assert Membership.objects.get(user=person, workspace=team.workspace).role == "member"
    assert SocialAccount.objects.get(user=person).uid == "new-person-1"
