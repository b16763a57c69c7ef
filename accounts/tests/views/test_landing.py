"""`/`, the workspaces page, and remembering the workspace opened last."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from accounts.views import remember_last_workspace
from slackclone.errors import DomainError
from slackclone.testing.factories import InvitationFactory, UserFactory, add_member, workspace_with_owner
from slackclone.testing.web import web_client
from workspaces.services import member_deactivate


def test_signed_out_visitor_is_sent_to_the_login_page(db):
    response = web_client().get("/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")


def test_signed_in_user_lands_in_their_first_workspace_until_they_open_another(team, outsider):
    other = workspace_with_owner(UserFactory(), slug="second")
    add_member(other, team.member)
    client = web_client(team.member)
    assert client.get("/")["Location"] == f"/{team.workspace.slug}/"

    request = RequestFactory().get("/second/")
    request.user = team.member
    remember_last_workspace(request, other)

    assert client.get("/")["Location"] == "/second/"


def test_remembering_a_workspace_you_are_not_in_is_refused(team, outsider):
    request = RequestFactory().get("/")
    request.user = outsider
    with pytest.raises(DomainError) as error:
        remember_last_workspace(request, team.workspace)
    assert error.value.code == "workspace_not_found"
    outsider.refresh_from_db()
    assert outsider.last_workspace_id != team.workspace.pk


def test_a_deactivated_last_workspace_is_skipped(team):
    other = workspace_with_owner(slug="elsewhere")
    add_member(other, team.member)
    team.member.last_workspace = other
    team.member.save()
    member_deactivate(actor=None, workspace=other, user=team.member)
    assert web_client(team.member).get("/")["Location"] == f"/{team.workspace.slug}/"


def test_without_a_workspace_home_offers_to_create_one_and_lists_invitations(db):
    user = UserFactory(email="lonely@example.com")
    invitation = InvitationFactory(email="lonely@example.com")
    InvitationFactory(email="someone-else@example.com")
    response = web_client(user).get("/")
    assert response.status_code == 200
    assert b"<title>Your workspaces \xc2\xb7 Slackclone</title>" in response.content
    assert response.context["invitations"] == [invitation]
    assert f"/invite/{invitation.token}/".encode() in response.content
    assert b'href="/new/"' in response.content


def test_workspaces_page_lists_memberships_with_links(team):
    response = web_client(team.admin).get("/accounts/workspaces/")
    assert response.status_code == 200
    assert f'href="/{team.workspace.slug}/"'.encode() in response.content
    assert f'href="/{team.workspace.slug}/admin/members/"'.encode() in response.content
    member_page = web_client(team.member).get("/accounts/workspaces/")
    assert b"/admin/members/" not in member_page.content
