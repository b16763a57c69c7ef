"""Creating a workspace (/new/) and accepting an invitation (/invite/<token>/)."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core import mail
from django.utils import timezone

from accounts.models import User
from slackclone.testing.factories import DEFAULT_PASSWORD, InvitationFactory, UserFactory
from slackclone.testing.web import web_client
from workspaces.models import Membership, Role, Workspace


def test_creating_a_workspace_makes_you_its_owner_and_opens_it(db):
    user = UserFactory()
    client = web_client(user)
    assert client.get("/new/").status_code == 200
    response = client.post("/new/", {"name": "Acme Corp", "slug": "acme"})
    assert response["Location"] == "/acme/"
    workspace = Workspace.objects.get(slug="acme")
    assert Membership.objects.get(workspace=workspace, user=user).role == Role.OWNER


def test_a_reserved_or_taken_address_is_refused_with_the_reason(team):
    client = web_client(team.member)
    reserved = client.post("/new/", {"name": "New", "slug": "new"})
    assert reserved.status_code == 400
    assert reserved.context["form"].errors["slug"] == ["'new' is reserved; choose another address."]
    taken = client.post("/new/", {"name": "Again", "slug": team.workspace.slug})
    assert taken.context["form"].errors["slug"] == [f"The address '{team.workspace.slug}' is taken."]
    assert Workspace.objects.count() == 1


def test_creating_a_workspace_needs_a_signed_in_user(db):
    assert web_client().get("/new/")["Location"] == "/accounts/login/?next=/new/"


def test_a_signed_out_visitor_of_a_link_signs_up_by_mail_and_then_joins(team, django_capture_on_commit_callbacks):
    invitation = InvitationFactory(workspace=team.workspace, inviter=team.admin)
    url = f"/invite/{invitation.token}/"
    client = web_client()
    page = client.get(url)
    assert page.status_code == 200
    assert f"Join {team.workspace.name}".encode() in page.content
    assert f'href="/accounts/signup/?next={url}"'.encode() in page.content

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/signup/",
            {"email": "joiner@example.com", "display_name": "J", "password": "a long enough passphrase", "next": url},
        )
    joiner = User.objects.get(email="joiner@example.com")
    client.post(url)  # still signed out: the page again, nothing joined
    assert not Membership.objects.filter(workspace=team.workspace, user=joiner).exists()

    (verify,) = re.findall(r"http://[^/]+(/accounts/verify/\S+)", mail.outbox[0].body)
    assert client.post(verify)["Location"] == url
    joined = client.post(url)
    assert joined["Location"] == f"/{team.workspace.slug}/"
    assert Membership.objects.get(workspace=team.workspace, user=joiner).role == Role.MEMBER


def test_an_unverified_account_cannot_join_by_a_link_for_anyone(team):
    invitation = InvitationFactory(workspace=team.workspace)
    squatter = UserFactory(email_verified_at=None)
    response = web_client(squatter).post(f"/invite/{invitation.token}/")
    assert response.status_code == 403
    assert b"Verify your email address" in response.content
    assert not Membership.objects.filter(workspace=team.workspace, user=squatter).exists()


def test_an_emailed_invitations_visitor_creates_the_account_and_joins_in_one_step(team):
    invitation = InvitationFactory(workspace=team.workspace, inviter=team.admin, email="new.hire@example.com")
    client = web_client()
    page = client.get(f"/invite/{invitation.token}/")
    assert b"Create account and join" in page.content
    response = client.post(
        f"/invite/{invitation.token}/", {"display_name": "Hire", "password": "a long enough passphrase"}
    )
    assert response["Location"] == f"/{team.workspace.slug}/"
    hire = User.objects.get(email="new.hire@example.com")
    assert hire.email_verified
    assert client.session["_auth_user_id"] == str(hire.pk)
    assert Membership.objects.filter(workspace=team.workspace, user=hire, is_active=True).exists()


def test_an_emailed_invitation_for_an_address_with_an_account_asks_to_sign_in(team):
    invitation = InvitationFactory(workspace=team.workspace, email=team.member.email)
    client = web_client()
    page = client.get(f"/invite/{invitation.token}/")
    assert f"Sign in as {team.member.email} to join".encode() in page.content
    client.post(f"/invite/{invitation.token}/", {"display_name": "X", "password": "a long enough passphrase"})
    assert not User.objects.get(pk=team.member.pk).check_password("a long enough passphrase")


def test_an_unverified_account_sees_no_invitations_for_its_address(team):
    """Whoever signed up first with an address must not be handed the invitations mailed to it."""
    squatter = UserFactory(email="victim@example.com", email_verified_at=None)
    invitation = InvitationFactory(workspace=team.workspace, email="victim@example.com", role=Role.ADMIN)
    page = web_client(squatter).get("/accounts/workspaces/").content.decode()
    assert invitation.token not in page
    assert team.workspace.name not in page
    squatter.email_verified_at = timezone.now()
    squatter.save()
    assert invitation.token in web_client(squatter).get("/accounts/workspaces/").content.decode()


def test_signing_in_from_an_invitation_comes_back_to_it(team, outsider):
    invitation = InvitationFactory(workspace=team.workspace)
    url = f"/invite/{invitation.token}/"
    client = web_client()
    response = client.post("/accounts/login/", {"username": outsider.email, "password": DEFAULT_PASSWORD, "next": url})
    assert response["Location"] == url
    assert b"Signed in as" in client.get(url).content


def test_a_member_opening_an_invitation_goes_straight_to_the_workspace(team):
    invitation = InvitationFactory(workspace=team.workspace)
    response = web_client(team.member).get(f"/invite/{invitation.token}/")
    assert response["Location"] == f"/{team.workspace.slug}/"


def test_an_invitation_for_another_address_does_not_exist_for_you(team, outsider):
    invitation = InvitationFactory(workspace=team.workspace, email="invited@example.com")
    client = web_client(outsider)
    assert client.get(f"/invite/{invitation.token}/").status_code == 404
    assert client.post(f"/invite/{invitation.token}/").status_code == 404
    assert not Membership.objects.filter(workspace=team.workspace, user=outsider).exists()


def test_expired_used_up_and_unknown_invitations_explain_themselves(team, outsider):
    expired = InvitationFactory(workspace=team.workspace, expires_at=timezone.now() - timedelta(days=1))
    used_up = InvitationFactory(workspace=team.workspace, max_uses=1, uses=1)
    client = web_client(outsider)
    gone = client.get(f"/invite/{expired.token}/")
    assert gone.status_code == 410
    assert b"This invitation has expired" in gone.content
    assert client.post(f"/invite/{used_up.token}/").status_code == 410
    assert client.get("/invite/no-such-token/").status_code == 404
    assert not Membership.objects.filter(workspace=team.workspace, user=outsider).exists()


def test_the_invitation_to_an_imported_account_claims_it_with_a_password(team):
    from accounts.services import user_create

    placeholder = user_create(email="imported@example.com", full_name="From Slack", is_active=False)
    Membership.objects.create(user=placeholder, workspace=team.workspace, role=Role.MEMBER)
    invitation = InvitationFactory(workspace=team.workspace, email="imported@example.com")
    client = web_client()
    assert b"Claim my account and join" in client.get(f"/invite/{invitation.token}/").content
    response = client.post(
        f"/invite/{invitation.token}/", {"display_name": "Imp", "password": "a long enough passphrase"}
    )
    assert response["Location"] == f"/{team.workspace.slug}/"
    placeholder.refresh_from_db()
    assert placeholder.is_active
    assert placeholder.email_verified
    assert client.session["_auth_user_id"] == str(placeholder.pk)
