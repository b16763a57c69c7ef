"""Adding and changing rows in the admin goes through the services, and their rules show as form errors."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import ApiToken, User, hash_token
from chat.models import Channel, ChannelKind, ChannelMember, CustomEmoji
from chat.services import channel_archive, channel_create
from chat.tests.admin.support import admin_url, form_data, shown_messages
from slackclone.testing.assertions import nothing_written
from slackclone.testing.factories import UserFactory
from slackclone.testing.images import image_bytes
from workspaces.models import Invitation, Membership, Role, Workspace
from workspaces.tokens import api_token_authenticate

pytestmark = pytest.mark.django_db

PASSWORD = "violet-Harbour-27"


def test_adding_a_token_shows_the_raw_token_once_and_stores_its_hash(team, admin_client):
    response = admin_client.post(
        admin_url("accounts.ApiToken", "add"),
        {"user": team.member.pk, "workspace": team.workspace.pk, "name": "deploys"},
        follow=True,
    )

    token = ApiToken.objects.get(user=team.member, name="deploys")
    [shown] = [line for line in shown_messages(response) if "shown only this once" in line]
    raw = shown.split("<code>")[1].split("</code>")[0]
    assert api_token_authenticate(raw) == token
    assert token.token_hash == hash_token(raw)
    assert token.created_by is None  # the operator
    assert raw not in admin_client.get(admin_url("accounts.ApiToken", "change", token.pk)).content.decode()


def test_a_token_for_someone_outside_the_workspace_is_a_form_error(team, outsider, admin_client):
    with nothing_written():
        response = admin_client.post(
            admin_url("accounts.ApiToken", "add"), {"user": outsider.pk, "workspace": team.workspace.pk, "name": "x"}
        )
    assert response.status_code == 200
    assert "is not an active member" in str(response.context["adminform"].form.errors)


def test_adding_a_user_by_email_and_password(admin_client):
    response = admin_client.post(
        admin_url("accounts.User", "add"),
        {"email": "New.Person@Example.com", "full_name": "New Person", "usable_password": "true"}
        | {"password1": PASSWORD, "password2": PASSWORD},
    )

    user = User.objects.get(email="new.person@example.com")
    assert response.status_code == 302
    assert user.check_password(PASSWORD)
    assert user.public_id.startswith("U")


def test_an_email_taken_in_another_case_is_a_form_error(admin_client):
    UserFactory(email="taken@example.com")
    with nothing_written():
        response = admin_client.post(
            admin_url("accounts.User", "add"),
            {"email": "TAKEN@example.com", "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD},
        )
    assert "email" in response.context["adminform"].form.errors


def test_adding_a_workspace_gives_it_an_owner_and_its_channels(admin_client):
    owner = UserFactory()

    admin_client.post(admin_url("workspaces.Workspace", "add"), {"name": "Acme", "slug": "acme", "owner": owner.pk})

    workspace = Workspace.objects.get(slug="acme")
    assert Membership.objects.get(workspace=workspace, user=owner).role == Role.OWNER
    assert set(workspace.channels.values_list("name", flat=True)) == {"general", "random"}


def test_the_email_display_setting_is_edited_in_the_workspace_admin(team, admin_client):
    url = admin_url("workspaces.Workspace", "change", team.workspace.pk)
    data = {key: value for key, value in form_data(admin_client.get(url)).items() if key != "icon"}
    admin_client.post(url, data | {"email_display": "everyone"})
    team.workspace.refresh_from_db()
    assert team.workspace.email_display == "everyone"


def test_a_reserved_workspace_slug_is_a_form_error(admin_client):
    owner = UserFactory()
    with nothing_written():
        response = admin_client.post(
            admin_url("workspaces.Workspace", "add"), {"name": "Admin", "slug": "admin", "owner": owner.pk}
        )
    assert "(invalid_name)" in str(response.context["adminform"].form.errors["slug"])


def test_adding_a_private_channel_with_a_creator(team, admin_client):
    admin_client.post(
        admin_url("chat.Channel", "add"),
        {"workspace": team.workspace.pk, "name": "launch", "is_private": "on", "creator": team.member.pk},
    )

    channel = Channel.objects.get(workspace=team.workspace, name="launch")
    assert channel.kind == ChannelKind.PRIVATE
    assert list(channel.memberships.values_list("user", flat=True)) == [team.member.pk]


def test_an_invalid_channel_name_is_a_form_error(team, admin_client):
    with nothing_written():
        response = admin_client.post(
            admin_url("chat.Channel", "add"), {"workspace": team.workspace.pk, "name": "No Way"}
        )
    assert "(invalid_name)" in str(response.context["adminform"].form.errors["name"])


def test_renaming_a_channel_goes_through_channel_update(team, admin_client):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="old-name")
    url = admin_url("chat.Channel", "change", channel.pk)
    data = form_data(admin_client.get(url)) | {"name": "new-name", "topic": "Launch day"}

    response = admin_client.post(url, data)

    channel.refresh_from_db()
    assert response.status_code == 302
    assert (channel.name, channel.topic) == ("new-name", "Launch day")


def test_renaming_to_a_taken_name_is_a_form_error(team, admin_client):
    url = admin_url("chat.Channel", "change", team.random.pk)
    with nothing_written():
        response = admin_client.post(url, form_data(admin_client.get(url)) | {"name": "general"})
    assert "already exists" in str(response.context["adminform"].form.errors["name"])


def test_a_refusal_the_form_cannot_foresee_is_shown_and_writes_nothing(team, admin_client):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="frozen")
    channel_archive(actor=None, channel=channel)
    url = admin_url("chat.Channel", "change", channel.pk)
    data = form_data(admin_client.get(url)) | {"name": "thawed"}

    with nothing_written():
        response = admin_client.post(url, data, follow=True)

    assert any("(is_archived)" in line for line in shown_messages(response))


def test_adding_a_channel_member_invites_them(team, admin_client):
    secret = channel_create(actor=team.admin, workspace=team.workspace, name="secret", is_private=True)

    admin_client.post(admin_url("chat.ChannelMember", "add"), {"channel": secret.pk, "user": team.member.pk})

    assert ChannelMember.objects.filter(channel=secret, user=team.member).exists()


def test_adding_an_outsider_to_a_channel_is_a_form_error(team, outsider, admin_client):
    with nothing_written():
        response = admin_client.post(
            admin_url("chat.ChannelMember", "add"), {"channel": team.random.pk, "user": outsider.pk}
        )
    assert "not an active member" in str(response.context["adminform"].form.errors)


def test_adding_a_membership_joins_general(team, admin_client):
    newcomer = UserFactory()

    admin_client.post(
        admin_url("workspaces.Membership", "add"),
        {"workspace": team.workspace.pk, "user": newcomer.pk, "role": "member"},
    )

    assert Membership.objects.get(workspace=team.workspace, user=newcomer).role == Role.MEMBER
    assert ChannelMember.objects.filter(channel=team.general, user=newcomer).exists()


def test_adding_an_invitation(team, admin_client):
    admin_client.post(
        admin_url("workspaces.Invitation", "add"),
        {"workspace": team.workspace.pk, "email": "Guest@Example.com", "role": "guest", "expires_in_days": "3"},
    )

    invitation = Invitation.objects.get(workspace=team.workspace)
    assert (invitation.email, invitation.role, invitation.max_uses) == ("guest@example.com", Role.GUEST, 1)
    assert invitation.inviter is None


def test_adding_a_custom_emoji_from_an_image_or_as_an_alias(team, admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    picture = SimpleUploadedFile("parrot.png", image_bytes())
    admin_client.post(
        admin_url("chat.CustomEmoji", "add"), {"workspace": team.workspace.pk, "name": "parrot", "upload": picture}
    )
    admin_client.post(
        admin_url("chat.CustomEmoji", "add"), {"workspace": team.workspace.pk, "name": "birb", "alias_for": "parrot"}
    )
    rows = CustomEmoji.objects.filter(workspace=team.workspace)
    assert {row.name: (row.content_type, row.alias_for, row.created_by) for row in rows} == {
        "parrot": ("image/png", "", None),
        "birb": ("", "parrot", None),
    }


def test_a_custom_emoji_with_neither_or_a_bad_image_is_refused(team, admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = admin_url("chat.CustomEmoji", "add")
    neither = admin_client.post(url, {"workspace": team.workspace.pk, "name": "parrot"})
    assert "one of the two" in neither.content.decode()
    not_an_image = SimpleUploadedFile("parrot.png", b"%PDF-1.4")
    shown = shown_messages(
        admin_client.post(url, {"workspace": team.workspace.pk, "name": "parrot", "upload": not_an_image}, follow=True)
    )
    assert any("(invalid_file)" in line for line in shown)
    assert not CustomEmoji.objects.exists()
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def test_who_adds_emoji_is_edited_in_the_workspace_admin(team, admin_client):
    url = admin_url("workspaces.Workspace", "change", team.workspace.pk)
    data = {key: value for key, value in form_data(admin_client.get(url)).items() if key != "icon"}
    admin_client.post(url, data | {"emoji_add_policy": "admins"})
    team.workspace.refresh_from_db()
    assert team.workspace.emoji_add_policy == "admins"
