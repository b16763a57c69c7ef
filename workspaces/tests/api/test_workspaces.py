"""Workspaces, members, roles and invitations over the API."""

from __future__ import annotations

from chat.models import ChannelMember
from slackclone.testing.api import error_code
from slackclone.testing.factories import UserFactory
from workspaces.models import Invitation, Membership
from workspaces.services import invitation_create


def test_my_workspaces_with_roles(team, outsider, client_for):
    body = client_for(team.admin).get("/api/v1/workspaces").json()
    assert body["workspaces"] == [
        {
            "id": team.workspace.public_id,
            "name": team.workspace.name,
            "slug": team.workspace.slug,
            "created": int(team.workspace.created_at.timestamp()),
            "icon": "",
            "role": "admin",
            "read_receipts": False,
        }
    ]


def test_create_workspace(db, client_for):
    user = UserFactory()
    response = client_for(user).post("/api/v1/workspaces", {"name": "Acme", "slug": "acme"})
    assert response.status_code == 201
    assert response.json()["workspace"]["role"] == "owner"
    assert Membership.objects.get(user=user).role == "owner"


def test_create_workspace_with_a_taken_or_reserved_slug(team, client_for):
    client = client_for(team.member)
    taken = client.post("/api/v1/workspaces", {"name": "Again", "slug": team.workspace.slug})
    assert (taken.status_code, error_code(taken)) == (409, "name_taken")
    reserved = client.post("/api/v1/workspaces", {"name": "Api", "slug": "api"})
    assert (reserved.status_code, error_code(reserved)) == (400, "invalid_name")


def test_tokens_cannot_create_workspaces(team, client_for):
    response = client_for(team.member, team.workspace).post("/api/v1/workspaces", {"name": "X", "slug": "xx"})
    assert error_code(response) == "restricted_action"


def test_workspace_detail_and_outsiders_get_404(team, outsider, client_for):
    assert client_for(team.guest).get(f"/api/v1/workspaces/{team.workspace.public_id}").json()["workspace"]["role"] == (
        "guest"
    )
    response = client_for(outsider).get(f"/api/v1/workspaces/{team.workspace.public_id}")
    assert (response.status_code, error_code(response)) == (404, "workspace_not_found")


def test_members_with_roles_in_keyset_pages(team, client_for):
    client = client_for(team.member)
    url = f"/api/v1/workspaces/{team.workspace.public_id}/members"
    page = client.get(url, {"limit": 2}).json()
    seen = list(page["members"])
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += page["members"]
    roles = {m["user"]["id"]: m["role"] for m in seen}
    assert roles == {
        team.owner.public_id: "owner",
        team.admin.public_id: "admin",
        team.member.public_id: "member",
        team.other_member.public_id: "member",
        team.guest.public_id: "guest",
    }
    assert [m["user"]["id"] for m in seen] == sorted(roles)


def test_one_member(team, client_for):
    url = f"/api/v1/workspaces/{team.workspace.public_id}/members/{team.guest.public_id}"
    assert client_for(team.member).get(url).json()["member"]["role"] == "guest"
    missing = client_for(team.member).get(f"/api/v1/workspaces/{team.workspace.public_id}/members/UNOBODY00")
    assert (missing.status_code, error_code(missing)) == (404, "user_not_found")


def test_role_changes(team, client_for):
    url = f"/api/v1/workspaces/{team.workspace.public_id}/members/{team.member.public_id}"
    assert client_for(team.admin).patch(url, {"role": "guest"}).json()["member"]["role"] == "guest"
    forbidden = client_for(team.other_member).patch(url, {"role": "member"})
    assert (forbidden.status_code, error_code(forbidden)) == (403, "restricted_action")
    only_owners = client_for(team.admin).patch(url, {"role": "admin"})
    assert error_code(only_owners) == "restricted_action"
    bad = client_for(team.owner).patch(url, {"role": "king"})
    assert (bad.status_code, error_code(bad)) == (400, "invalid_role")


def test_last_owner_cannot_step_down(team, client_for):
    url = f"/api/v1/workspaces/{team.workspace.public_id}/members/{team.owner.public_id}"
    response = client_for(team.owner).patch(url, {"role": "member"})
    assert error_code(response) == "last_owner"


def test_deactivate_and_reactivate(team, client_for):
    base = f"/api/v1/workspaces/{team.workspace.public_id}/members/{team.member.public_id}"
    body = client_for(team.admin).post(f"{base}/deactivate").json()
    assert body["member"]["is_active"] is False
    assert error_code(client_for(team.member).get(f"/api/v1/workspaces/{team.workspace.public_id}")) == (
        "account_inactive"
    )
    assert client_for(team.admin).post(f"{base}/reactivate").json()["member"]["is_active"] is True
    assert error_code(client_for(team.other_member).post(f"{base}/deactivate")) == "restricted_action"


def test_invitations_create_list_revoke(team, client_for):
    admin = client_for(team.admin)
    url = f"/api/v1/workspaces/{team.workspace.public_id}/invitations"
    link = admin.post(url, {"max_uses": 5}).json()["invitation"]
    emailed = admin.post(url, {"email": "Someone@Example.com", "role": "guest"}).json()["invitation"]
    assert (link["email"], link["max_uses"]) == ("", 5)
    assert (emailed["email"], emailed["role"], emailed["max_uses"]) == ("someone@example.com", "guest", 1)
    assert {i["id"] for i in admin.get(url).json()["invitations"]} == {link["id"], emailed["id"]}
    assert admin.delete(f"{url}/{link['id']}").json() == {"ok": True}
    assert [i["id"] for i in admin.get(url).json()["invitations"]] == [emailed["id"]]


def test_an_addressed_invitations_secret_is_shown_to_no_admin(team, client_for):
    """Its link is mailed to its address and nowhere else: holding it is what proves the address."""
    url = f"/api/v1/workspaces/{team.workspace.public_id}/invitations"
    created = client_for(team.owner).post(url, {"email": "someone@example.com"}).json()["invitation"]
    assert (created["token"], created["accept_url"]) == (None, None)
    (listed,) = client_for(team.admin).get(url).json()["invitations"]
    assert (listed["id"], listed["token"], listed["accept_url"]) == (created["id"], None, None)
    secret = Invitation.objects.get(public_id=created["id"]).token
    assert secret not in client_for(team.admin).get(url).content.decode()


def test_revoking_another_workspaces_invitation_finds_nothing(team, outsider, client_for):
    theirs_workspace = Membership.objects.get(user=outsider).workspace
    theirs = invitation_create(actor=outsider, workspace=theirs_workspace)
    url = f"/api/v1/workspaces/{team.workspace.public_id}/invitations/{theirs.public_id}"
    assert error_code(client_for(team.admin).delete(url)) == "invitation_not_found"
    assert error_code(client_for(team.member).delete(url)) == "restricted_action"
    assert Invitation.objects.get(pk=theirs.pk).revoked_at is None


def test_members_cannot_manage_invitations(team, client_for):
    url = f"/api/v1/workspaces/{team.workspace.public_id}/invitations"
    client = client_for(team.member)
    assert error_code(client.get(url)) == "restricted_action"
    assert error_code(client.post(url, {})) == "restricted_action"


def test_invitation_input_errors(team, client_for):
    url = f"/api/v1/workspaces/{team.workspace.public_id}/invitations"
    client = client_for(team.admin)
    assert error_code(client.post(url, {"email": "not-an-email"})) == "invalid_email"
    assert client.post(url, {"max_uses": 0}).json()["error"]["fields"] == {"max_uses": "min_value"}


def test_accept_an_invitation(team, client_for):
    invitation = invitation_create(actor=team.admin, workspace=team.workspace)
    newcomer = UserFactory()
    client = client_for(newcomer)
    preview = client.get(f"/api/v1/invitations/{invitation.token}").json()
    assert preview["workspace_name"] == team.workspace.name
    response = client.post(f"/api/v1/invitations/{invitation.token}/accept")
    assert response.json()["workspace"]["id"] == team.workspace.public_id
    assert ChannelMember.objects.filter(channel=team.general, user=newcomer).exists()


def test_emailed_invitation_works_only_for_its_addressee(team, client_for):
    invitation = invitation_create(actor=team.admin, workspace=team.workspace, email="right@example.com")
    wrong = client_for(UserFactory())
    assert error_code(wrong.get(f"/api/v1/invitations/{invitation.token}")) == "invitation_not_found"
    assert error_code(wrong.post(f"/api/v1/invitations/{invitation.token}/accept")) == "invitation_not_found"


def test_used_up_invitation_is_410(team, client_for):
    invitation = invitation_create(actor=team.admin, workspace=team.workspace, max_uses=1)
    client_for(UserFactory()).post(f"/api/v1/invitations/{invitation.token}/accept")
    response = client_for(UserFactory()).post(f"/api/v1/invitations/{invitation.token}/accept")
    assert (response.status_code, error_code(response)) == (410, "invitation_used_up")


def test_unknown_invitation_is_404(team, client_for):
    response = client_for(team.member).post("/api/v1/invitations/" + "x" * 43 + "/accept")
    assert (response.status_code, error_code(response)) == (404, "invitation_not_found")
    assert not Invitation.objects.exists()


def test_tokens_cannot_accept_invitations(team, client_for):
    invitation = invitation_create(actor=team.admin, workspace=team.workspace)
    response = client_for(team.member, team.workspace).post(f"/api/v1/invitations/{invitation.token}/accept")
    assert error_code(response) == "restricted_action"
