"""The workspace admin pages at /<slug>/admin/: members and roles, invitations, name and icon."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from slackclone.testing.factories import InvitationFactory
from slackclone.testing.web import image_upload, web_client
from workspaces.models import Invitation, Membership, Role


def _admin_url(team, page: str) -> str:
    return f"/{team.workspace.slug}/admin/{page}"


def _membership(team, user) -> Membership:
    return Membership.objects.get(workspace=team.workspace, user=user)


@pytest.mark.parametrize("page", ["members/", "invitations/", "settings/", "emoji/"])
def test_admins_see_the_admin_pages(team, page):
    response = web_client(team.admin).get(_admin_url(team, page))
    assert response.status_code == 200
    assert f"· {team.workspace.name} · Slackclone</title>".encode() in response.content
    assert b'href="/admin/"' not in response.content  # the Django admin link is for superusers


def test_the_admin_root_opens_the_members_page(team):
    assert web_client(team.owner).get(_admin_url(team, ""))["Location"] == _admin_url(team, "members/")


@pytest.mark.parametrize("page", ["members/", "invitations/", "settings/", "emoji/"])
def test_members_are_forbidden_and_outsiders_find_nothing(team, outsider, page):
    forbidden = web_client(team.member).get(_admin_url(team, page))
    assert forbidden.status_code == 403
    assert b"Only workspace owners and admins can do that." in forbidden.content
    assert web_client(team.guest).get(_admin_url(team, page)).status_code == 403
    assert web_client(outsider).get(_admin_url(team, page)).status_code == 404
    assert web_client().get(_admin_url(team, page)).status_code == 302


def test_superusers_get_a_link_to_the_django_admin(team):
    team.owner.is_superuser = team.owner.is_staff = True
    team.owner.save()
    assert b'href="/admin/"' in web_client(team.owner).get(_admin_url(team, "members/")).content


def test_members_page_lists_everyone_with_roles(team):
    response = web_client(team.admin).get(_admin_url(team, "members/"))
    listed = {row["membership"].user for row in response.context["rows"]}
    assert listed == {team.owner, team.admin, team.member, team.other_member, team.guest}
    manageable = {row["membership"].user for row in response.context["rows"] if row["can_manage"]}
    assert manageable == {team.member, team.other_member, team.guest}


def test_an_admin_changes_a_members_role(team):
    url = _admin_url(team, f"members/{team.member.public_id}/role/")
    response = web_client(team.admin).post(url, {"role": "guest"}, follow=True)
    assert f"{team.member.name} is now a guest." in [str(m) for m in response.context["messages"]]
    assert _membership(team, team.member).role == Role.GUEST


def test_only_owners_make_admins_and_the_reason_is_shown(team):
    url = _admin_url(team, f"members/{team.member.public_id}/role/")
    response = web_client(team.admin).post(url, {"role": "admin"}, follow=True)
    assert "Only workspace owners can change the roles of owners and admins." in [
        str(m) for m in response.context["messages"]
    ]
    assert _membership(team, team.member).role == Role.MEMBER
    web_client(team.owner).post(url, {"role": "admin"})
    assert _membership(team, team.member).role == Role.ADMIN


def test_the_last_owner_cannot_step_down(team):
    url = _admin_url(team, f"members/{team.owner.public_id}/role/")
    response = web_client(team.owner).post(url, {"role": "member"}, follow=True)
    assert "A workspace needs at least one active owner." in [str(m) for m in response.context["messages"]]
    assert _membership(team, team.owner).role == Role.OWNER


def test_deactivating_and_reactivating_a_member(team):
    url = _admin_url(team, f"members/{team.member.public_id}/active/")
    client = web_client(team.admin)
    client.post(url, {"action": "deactivate"})
    assert _membership(team, team.member).is_active is False
    client.post(url, {"action": "reactivate"})
    assert _membership(team, team.member).is_active is True


def test_members_cannot_deactivate_anyone(team):
    url = _admin_url(team, f"members/{team.other_member.public_id}/active/")
    assert web_client(team.member).post(url, {"action": "deactivate"}).status_code == 403
    assert _membership(team, team.other_member).is_active is True


def test_someone_outside_the_workspace_is_not_found(team, outsider):
    url = _admin_url(team, f"members/{outsider.public_id}/active/")
    assert web_client(team.admin).post(url, {"action": "deactivate"}).status_code == 404


def test_admin_forms_need_the_csrf_token(team):
    client = web_client(team.admin, enforce_csrf_checks=True)
    url = _admin_url(team, f"members/{team.member.public_id}/active/")
    assert client.post(url, {"action": "deactivate"}).status_code == 403
    assert _membership(team, team.member).is_active is True


def test_creating_an_invitation_link_lists_it_with_its_url(team):
    client = web_client(team.admin)
    response = client.post(
        _admin_url(team, "invitations/"), {"kind": "link", "role": "member", "expires_in_days": "7", "max_uses": "5"}
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(workspace=team.workspace)
    assert (invitation.email, invitation.max_uses, invitation.inviter) == ("", 5, team.admin)
    page = client.get(_admin_url(team, "invitations/"))
    assert f"http://127.0.0.1:8000/invite/{invitation.token}/".encode() in page.content


def test_a_bad_invitation_link_shows_the_error_and_writes_nothing(team):
    response = web_client(team.admin).post(
        _admin_url(team, "invitations/"), {"kind": "link", "role": "owner", "expires_in_days": "7"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.context["link_form"].errors["role"][0]
    only_owners = web_client(team.admin).post(
        _admin_url(team, "invitations/"), {"kind": "link", "role": "admin", "expires_in_days": "7"}
    )
    assert only_owners.context["link_form"].errors["__all__"] == [
        "Invite as member or guest; only owners invite admins."
    ]
    assert not Invitation.objects.exists()


def test_email_invitations_are_sent_after_commit(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = web_client(team.admin).post(
            _admin_url(team, "invitations/"),
            {"kind": "email", "emails": "a@example.com, B@example.com\nA@example.com", "role": "guest"},
        )
    assert response.status_code == 302
    invitations = Invitation.objects.filter(workspace=team.workspace).order_by("email")
    assert [(i.email, i.role, i.max_uses) for i in invitations] == [
        ("a@example.com", "guest", 1),
        ("b@example.com", "guest", 1),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.com", "b@example.com"]
    message = next(m for m in mail.outbox if m.to == ["a@example.com"])
    assert message.subject == f"{team.admin.name} invited you to {team.workspace.name} on Slackclone"
    assert f"/invite/{invitations[0].token}/" in message.body


def test_one_bad_address_sends_no_invitation(team):
    response = web_client(team.admin).post(
        _admin_url(team, "invitations/"),
        {"kind": "email", "emails": "good@example.com, not-an-address", "role": "member"},
    )
    assert response.status_code == 400
    assert response.context["email_form"].errors["emails"] == ["Not an email address: not-an-address."]
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_revoking_an_invitation(team):
    invitation = InvitationFactory(workspace=team.workspace)
    other_workspace_invitation = InvitationFactory()
    client = web_client(team.admin)
    client.post(_admin_url(team, f"invitations/{invitation.public_id}/revoke/"))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert (
        client.post(_admin_url(team, f"invitations/{other_workspace_invitation.public_id}/revoke/")).status_code == 404
    )


def test_the_invitations_page_shows_links_for_anyone_but_never_an_addressed_invitations_secret(team):
    link = InvitationFactory(workspace=team.workspace, inviter=team.admin)
    addressed = InvitationFactory(workspace=team.workspace, inviter=team.owner, email="someone@example.com")
    page = web_client(team.admin).get(_admin_url(team, "invitations/")).content.decode()
    assert link.token in page
    assert "someone@example.com" in page
    assert addressed.token not in page


def test_renaming_the_workspace(team):
    client = web_client(team.admin)
    client.post(_admin_url(team, "settings/"), {"name": "  Renamed Co  "})
    team.workspace.refresh_from_db()
    assert team.workspace.name == "Renamed Co"
    empty = client.post(_admin_url(team, "settings/"), {"name": ""})
    assert empty.context["form"].errors["name"] == ["This field is required."]


def test_setting_and_removing_the_icon(team, media_root):
    client = web_client(team.owner)
    client.post(_admin_url(team, "settings/icon/"), {"icon": image_upload(size=(300, 500))})
    team.workspace.refresh_from_db()
    with Image.open(media_root / team.workspace.icon.name) as icon:
        assert icon.size == (256, 256)
    assert web_client().get(team.workspace.icon.url).status_code == 200
    bad = client.post(_admin_url(team, "settings/icon/"), {"icon": SimpleUploadedFile("x.gif", b"GIF89a-nope")})
    assert bad.status_code == 400
    assert "not an image we can read" in bad.context["icon_form"].errors["icon"][0]
    client.post(_admin_url(team, "settings/icon/"), {"remove": "1"})
    team.workspace.refresh_from_db()
    assert not team.workspace.icon


def test_members_cannot_change_the_settings(team):
    response = web_client(team.member).post(_admin_url(team, "settings/"), {"name": "Hijacked"})
    assert response.status_code == 403
    team.workspace.refresh_from_db()
    assert team.workspace.name != "Hijacked"


def test_admins_choose_who_sees_email_addresses(team):
    client = web_client(team.admin)
    assert b"Display email addresses" in client.get(_admin_url(team, "settings/")).content
    response = client.post(_admin_url(team, "settings/privacy/"), {"email_display": "admins"})
    assert response.status_code == 302
    team.workspace.refresh_from_db()
    assert team.workspace.email_display == "admins"
    bad = client.post(_admin_url(team, "settings/privacy/"), {"email_display": "the-world"})
    assert bad.status_code == 400


@pytest.mark.parametrize("who", ["member", "guest"])
def test_members_and_guests_cannot_choose_who_sees_email_addresses(team, who):
    response = web_client(getattr(team, who)).post(_admin_url(team, "settings/privacy/"), {"email_display": "everyone"})
    assert response.status_code == 403
    team.workspace.refresh_from_db()
    assert team.workspace.email_display == "members"


def test_an_outsider_cannot_choose_who_sees_email_addresses(team, outsider):
    response = web_client(outsider).post(_admin_url(team, "settings/privacy/"), {"email_display": "everyone"})
    assert response.status_code == 404
