"""A workspace whose sign-in policy names email domains invites, and lets join through invitations, only
addresses in them (email_domain_not_allowed, naming the domains)."""

from __future__ import annotations

import pytest

from identity.models import SignInPolicy
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused
from slackclone.testing.factories import UserFactory
from slackclone.testing.web import web_client
from workspaces.models import Invitation, Membership
from workspaces.services import invitation_accept, invitation_create, invitation_sign_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def restricted(team):
    SignInPolicy.objects.create(workspace=team.workspace, allowed_email_domains=["example.com"])
    return team


def test_an_invitation_to_another_domain_is_refused_precisely(restricted):
    with refused(ErrorCode.EMAIL_DOMAIN_NOT_ALLOWED) as error:
        invitation_create(actor=restricted.admin, workspace=restricted.workspace, email="eve@elsewhere.org")
    assert "example.com" in error.value.message
    assert error.value.fields == {"email": "domain"}
    ok = invitation_create(actor=restricted.admin, workspace=restricted.workspace, email="New@Example.com")
    assert ok.email == "new@example.com"


def test_joining_by_a_link_with_an_address_of_another_domain_is_refused(restricted):
    link = invitation_create(actor=restricted.admin, workspace=restricted.workspace)
    outsider = UserFactory(email="eve@elsewhere.org")
    with refused(ErrorCode.EMAIL_DOMAIN_NOT_ALLOWED):
        invitation_accept(user=outsider, token=link.token)
    insider = UserFactory(email="ann@example.com")
    assert invitation_accept(user=insider, token=link.token).workspace == restricted.workspace


def test_signing_up_through_an_invitation_made_before_the_domains_were_set_is_refused(team):
    invitation = invitation_create(actor=team.admin, workspace=team.workspace, email="eve@elsewhere.org")
    SignInPolicy.objects.create(workspace=team.workspace, allowed_email_domains=["example.com"])
    with refused(ErrorCode.EMAIL_DOMAIN_NOT_ALLOWED):
        invitation_sign_up(token=invitation.token, password="a long passphrase 42")


def test_the_admin_invitations_page_shows_the_reason(restricted):
    answer = web_client(restricted.admin).post(
        f"/{restricted.workspace.slug}/admin/invitations/",
        {"kind": "email", "emails": "eve@elsewhere.org", "role": "member"},
    )
    assert answer.status_code == 400
    assert "only accepts addresses at example.com" in answer.content.decode()
    assert not Invitation.objects.filter(email="eve@elsewhere.org").exists()


def test_without_domains_any_address_is_invited(team):
    invitation_create(actor=team.admin, workspace=team.workspace, email="eve@elsewhere.org")
    assert not Membership.objects.filter(user__email="eve@elsewhere.org").exists()
