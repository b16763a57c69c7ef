"""member_change_role: admins manage members and guests; only owners touch owners and admins."""

import pytest

from slackclone.errors import ErrorCode
from slackclone.testing.assertions import nothing_written, refused
from workspaces.models import Membership, Role
from workspaces.services import member_change_role

pytestmark = pytest.mark.django_db


def _role(team, user) -> str:
    return Membership.objects.get(workspace=team.workspace, user=user).role


def _change(team, actor, user, role):
    return member_change_role(actor=actor, workspace=team.workspace, user=user, role=role)


def test_admin_turns_a_member_into_a_guest_and_back(team):
    _change(team, team.admin, team.member, Role.GUEST)
    assert _role(team, team.member) == Role.GUEST
    _change(team, team.admin, team.member, Role.MEMBER)
    assert _role(team, team.member) == Role.MEMBER


def test_owner_makes_admins_and_owners(team):
    _change(team, team.owner, team.member, Role.ADMIN)
    _change(team, team.owner, team.other_member, Role.OWNER)
    assert (_role(team, team.member), _role(team, team.other_member)) == (Role.ADMIN, Role.OWNER)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OWNER])
def test_admin_cannot_promote_to_admin_or_owner(team, role):
    with refused(ErrorCode.RESTRICTED_ACTION):
        _change(team, team.admin, team.member, role)


@pytest.mark.parametrize("target", ["owner", "other_admin"])
def test_admin_cannot_change_the_role_of_owners_or_other_admins(team, target):
    other_admin = team.new_member(Role.ADMIN)
    user = team.owner if target == "owner" else other_admin
    with refused(ErrorCode.RESTRICTED_ACTION):
        _change(team, team.admin, user, Role.MEMBER)


@pytest.mark.parametrize("who", ["member", "guest"])
def test_members_and_guests_cannot_change_roles(team, who):
    with refused(ErrorCode.RESTRICTED_ACTION):
        _change(team, getattr(team, who), team.other_member, Role.GUEST)


def test_the_last_owner_cannot_step_down(team):
    with refused(ErrorCode.LAST_OWNER):
        _change(team, team.owner, team.owner, Role.ADMIN)


def test_an_owner_can_step_down_when_another_owner_remains(team):
    _change(team, team.owner, team.admin, Role.OWNER)
    _change(team, team.owner, team.owner, Role.MEMBER)
    assert _role(team, team.owner) == Role.MEMBER
    with refused(ErrorCode.LAST_OWNER):
        _change(team, team.admin, team.admin, Role.MEMBER)


def test_setting_the_same_role_changes_nothing(team):
    with nothing_written():
        _change(team, team.admin, team.member, Role.MEMBER)


def test_an_unknown_role_is_invalid_role(team):
    with refused(ErrorCode.INVALID_ROLE):
        _change(team, team.owner, team.member, "superuser")


def test_someone_outside_the_workspace_is_user_not_found(team, outsider):
    with refused(ErrorCode.USER_NOT_FOUND):
        _change(team, team.owner, outsider, Role.GUEST)


def test_the_operator_changes_any_role(team):
    _change(team, None, team.admin, Role.OWNER)
    _change(team, None, team.owner, Role.GUEST)
    assert (_role(team, team.admin), _role(team, team.owner)) == (Role.OWNER, Role.GUEST)
