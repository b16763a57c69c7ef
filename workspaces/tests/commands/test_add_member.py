"""manage.py add_member SLUG EMAIL [--role owner|admin|member|guest]"""

from __future__ import annotations

import pytest

from accounts.tests.commands.support import refused, run
from chat.models import ChannelMember
from slackclone.errors import ErrorCode
from slackclone.testing.factories import UserFactory
from workspaces.models import Membership, Role
from workspaces.services import member_deactivate

pytestmark = pytest.mark.django_db


def test_adds_a_member_who_joins_general(team):
    newcomer = UserFactory()

    lines = run("add_member", team.workspace.slug, newcomer.email)

    membership = Membership.objects.get(workspace=team.workspace, user=newcomer)
    assert membership.role == Role.MEMBER
    assert membership.is_active
    assert ChannelMember.objects.filter(channel=team.general, user=newcomer).exists()
    assert newcomer.email in lines[-1]


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.GUEST])
def test_adds_with_the_role_given(team, role):
    newcomer = UserFactory()
    run("add_member", team.workspace.slug, newcomer.email, "--role", role.value)
    assert Membership.objects.get(workspace=team.workspace, user=newcomer).role == role


def test_guests_do_not_join_general(team):
    newcomer = UserFactory()
    run("add_member", team.workspace.slug, newcomer.email, "--role", "guest")
    assert not ChannelMember.objects.filter(channel=team.general, user=newcomer).exists()


def test_refuses_an_unknown_role(team):
    newcomer = UserFactory()
    message = refused(
        "add_member", team.workspace.slug, newcomer.email, "--role", "superuser", code=ErrorCode.INVALID_ROLE
    )
    assert "owner, admin, member, guest" in message


def test_refuses_someone_already_in_the_workspace(team):
    message = refused("add_member", team.workspace.slug, team.member.email, code=ErrorCode.INVALID_ARGUMENTS)
    assert "already" in message


def test_refuses_a_deactivated_member_who_must_be_reactivated_instead(team):
    member_deactivate(actor=None, workspace=team.workspace, user=team.member)
    refused("add_member", team.workspace.slug, team.member.email, code=ErrorCode.ACCOUNT_INACTIVE)


def test_refuses_an_unknown_workspace_or_email(team):
    refused("add_member", "no-such-team", team.member.email, code=ErrorCode.WORKSPACE_NOT_FOUND)
    refused("add_member", team.workspace.slug, "ghost@example.com", code=ErrorCode.USER_NOT_FOUND)
