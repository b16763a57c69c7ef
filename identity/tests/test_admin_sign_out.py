"""Owners and admins sign a member out everywhere from the members page: every session ends (their API
tokens do not), the audit log keeps it; nobody else can, and only owners can do it to an owner."""

from __future__ import annotations

import pytest
from allauth.usersessions.models import UserSession

from audit.models import AuditAction, AuditEvent
from identity.sessions import member_sign_out_everywhere
from slackclone.errors import DomainError
from slackclone.testing.factories import DEFAULT_PASSWORD
from slackclone.testing.web import web_client

pytestmark = pytest.mark.django_db


def signed_in(person):
    client = web_client()
    assert client.post("/accounts/login/", {"username": person.email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def sign_out_url(team, person) -> str:
    return f"/{team.workspace.slug}/admin/members/{person.public_id}/sign-out/"


@pytest.mark.parametrize("actor", ["owner", "admin"])
def test_an_owner_or_admin_signs_a_member_out_everywhere(team, actor):
    laptop, phone = signed_in(team.member), signed_in(team.member)
    admin = web_client(getattr(team, actor))

    answer = admin.post(sign_out_url(team, team.member))

    assert answer.status_code == 302
    assert laptop.get("/accounts/profile/").status_code == 302
    assert phone.get("/accounts/profile/").status_code == 302
    assert not UserSession.objects.filter(user=team.member).exists()
    event = AuditEvent.objects.get(action=AuditAction.SESSIONS_ENDED)
    assert (event.actor, event.workspace, event.target_id) == (
        getattr(team, actor),
        team.workspace,
        team.member.public_id,
    )
    assert event.data == {"ended": "all", "count": 2}


def test_the_members_page_offers_it_but_not_on_an_owner_to_an_admin(team):
    html = web_client(team.admin).get(f"/{team.workspace.slug}/admin/members/").content.decode()
    assert sign_out_url(team, team.member) in html
    assert sign_out_url(team, team.owner) not in html
    html = web_client(team.owner).get(f"/{team.workspace.slug}/admin/members/").content.decode()
    assert sign_out_url(team, team.admin) in html


def test_an_admin_cannot_sign_an_owner_out(team):
    owners_browser = signed_in(team.owner)
    answer = web_client(team.admin).post(sign_out_url(team, team.owner))
    assert answer.status_code == 302  # back to the page, with the reason
    assert owners_browser.get("/accounts/profile/").status_code == 200
    with pytest.raises(DomainError) as refused:
        member_sign_out_everywhere(actor=team.admin, workspace=team.workspace, user=team.owner)
    assert refused.value.code == "restricted_action"
    assert not AuditEvent.objects.filter(action=AuditAction.SESSIONS_ENDED).exists()


@pytest.mark.parametrize("who", ["member", "guest"])
def test_members_and_guests_cannot(team, who):
    browser = signed_in(team.other_member)
    assert web_client(getattr(team, who)).post(sign_out_url(team, team.other_member)).status_code == 403
    assert browser.get("/accounts/profile/").status_code == 200


def test_the_owner_of_another_workspace_cannot(team, outsider):
    browser = signed_in(team.member)
    assert web_client(outsider).post(sign_out_url(team, team.member)).status_code == 404
    assert browser.get("/accounts/profile/").status_code == 200
    with pytest.raises(DomainError) as refused:
        member_sign_out_everywhere(actor=outsider, workspace=team.workspace, user=team.member)
    assert refused.value.code == "workspace_not_found"


def test_an_admin_cannot_reach_people_outside_their_workspace(team, outsider):
    browser = signed_in(outsider)
    assert web_client(team.owner).post(sign_out_url(team, outsider)).status_code == 404
    assert browser.get("/accounts/profile/").status_code == 200
    with pytest.raises(DomainError) as refused:
        member_sign_out_everywhere(actor=team.owner, workspace=team.workspace, user=outsider)
    assert refused.value.code == "user_not_found"
