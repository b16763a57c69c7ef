"""Admin actions call the services: their effects are the services' effects, and so are their refusals."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from accounts.models import ApiToken
from chat.models import Channel, ChannelMember, CustomEmoji, Message, Pin, Reaction
from chat.tests.admin.support import admin_url, run_action
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Invitation, Membership, Role
from workspaces.tokens import api_token_authenticate

pytestmark = pytest.mark.django_db


def test_archive_archives_and_general_is_refused_with_its_code(scene, admin_client):
    general = scene.team.general

    shown = run_action(admin_client, "chat.Channel", "archive", [scene.project, general])

    assert Channel.objects.get(pk=scene.project.pk).is_archived
    assert not Channel.objects.get(pk=general.pk).is_archived
    assert "Archived: 1 channel." in shown
    assert any("#general" in line and "(cant_archive_general)" in line for line in shown)


def test_unarchive_brings_back_and_refuses_a_channel_that_is_not_archived(scene, admin_client):
    run_action(admin_client, "chat.Channel", "archive", [scene.project])

    shown = run_action(admin_client, "chat.Channel", "unarchive", [scene.project, scene.secret])

    assert not Channel.objects.get(pk=scene.project.pk).is_archived
    assert any("(not_archived)" in line for line in shown)


def test_deactivate_and_reactivate_a_member(scene, admin_client):
    membership = Membership.objects.get(workspace=scene.team.workspace, user=scene.team.member)

    run_action(admin_client, "workspaces.Membership", "deactivate", [membership])
    membership.refresh_from_db()
    assert not membership.is_active
    with pytest.raises(DomainError) as refused_token:
        api_token_authenticate(scene.raw_token)
    assert refused_token.value.code == ErrorCode.ACCOUNT_INACTIVE

    run_action(admin_client, "workspaces.Membership", "reactivate", [membership])
    membership.refresh_from_db()
    assert membership.is_active


def test_deactivating_the_last_owner_is_refused(scene, admin_client):
    owner = Membership.objects.get(workspace=scene.team.workspace, user=scene.team.owner)

    shown = run_action(admin_client, "workspaces.Membership", "deactivate", [owner])

    owner.refresh_from_db()
    assert owner.is_active
    assert any("(last_owner)" in line for line in shown)


def test_role_actions_go_through_member_change_role(scene, admin_client):
    membership = Membership.objects.get(workspace=scene.team.workspace, user=scene.team.member)
    owner = Membership.objects.get(workspace=scene.team.workspace, user=scene.team.owner)

    shown = run_action(admin_client, "workspaces.Membership", "make_admin", [membership, owner])

    assert Membership.objects.get(pk=membership.pk).role == Role.ADMIN
    assert Membership.objects.get(pk=owner.pk).role == Role.OWNER
    assert any("(last_owner)" in line for line in shown)


def test_revoking_a_token_stops_it_authenticating(scene, admin_client):
    run_action(admin_client, "accounts.ApiToken", "revoke", [scene.token])

    assert ApiToken.objects.get(pk=scene.token.pk).revoked_at is not None
    with pytest.raises(DomainError) as refused_token:
        api_token_authenticate(scene.raw_token)
    assert refused_token.value.code == ErrorCode.INVALID_AUTH


def test_revoking_an_invitation(scene, admin_client):
    run_action(admin_client, "workspaces.Invitation", "revoke", [scene.invitation])
    assert Invitation.objects.get(pk=scene.invitation.pk).revoked_at is not None


def test_deleting_a_message_leaves_a_tombstone_and_keeps_the_numbering(scene, admin_client):
    last_seq = Channel.objects.get(pk=scene.project.pk).last_seq

    run_action(admin_client, "chat.Message", "delete_leaving_tombstones", [scene.answer])

    answer = Message.objects.get(pk=scene.answer.pk)
    assert answer.is_deleted
    assert answer.text == ""
    assert answer.seq == scene.answer.seq
    assert Channel.objects.get(pk=scene.project.pk).last_seq == last_seq
    assert Message.objects.get(pk=scene.question.pk).reply_count == 0


def test_deleting_a_message_of_an_archived_channel_is_refused(scene, admin_client):
    run_action(admin_client, "chat.Channel", "archive", [scene.project])

    shown = run_action(admin_client, "chat.Message", "delete_leaving_tombstones", [scene.question])

    question = Message.objects.get(pk=scene.question.pk)
    assert not question.is_deleted
    assert Reaction.objects.filter(message=question).count() == 2
    assert any("(is_archived)" in line for line in shown)


def test_unpin(scene, admin_client):
    run_action(admin_client, "chat.Pin", "unpin", [scene.pin])
    assert not Pin.objects.filter(pk=scene.pin.pk).exists()


def test_removing_from_a_channel_and_the_general_refusal(scene, admin_client):
    in_project = ChannelMember.objects.get(channel=scene.project, user=scene.team.other_member)
    in_general = ChannelMember.objects.get(channel=scene.team.general, user=scene.team.other_member)

    shown = run_action(admin_client, "chat.ChannelMember", "remove", [in_project, in_general])

    assert not ChannelMember.objects.filter(pk=in_project.pk).exists()
    assert ChannelMember.objects.filter(pk=in_general.pk).exists()
    assert any("(cant_leave_general)" in line for line in shown)


def test_staff_without_the_change_permission_get_no_actions(scene, client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer@example.com", "a-Long-passw0rd", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_channel"))
    client.force_login(viewer)

    page = client.get(admin_url("chat.Channel", "changelist"))
    run_action(client, "chat.Channel", "archive", [scene.project])

    assert page.status_code == 200
    assert page.context["action_form"] is None
    assert not Channel.objects.get(pk=scene.project.pk).is_archived


def test_removing_custom_emoji_takes_their_aliases_with_them(scene, admin_client):
    parrot = CustomEmoji.objects.get(workspace=scene.team.workspace, name="partyparrot")
    shown = run_action(admin_client, "chat.CustomEmoji", "remove_emoji", [parrot])
    assert not CustomEmoji.objects.filter(workspace=scene.team.workspace).exists()
    assert "Removed: 1 custom emoji." in shown
