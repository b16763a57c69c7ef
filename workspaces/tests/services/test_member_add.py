"""member_add: adding someone directly, without an invitation."""

import pytest

from chat.models import ChannelMember
from chat.services import message_post
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import nothing_written, refused
from slackclone.testing.factories import UserFactory
from workspaces.models import Membership, Role
from workspaces.services import member_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer():
    return UserFactory()


def test_a_new_member_joins_general_with_its_history_already_read(team, newcomer):
    message_post(sender=team.owner, channel=team.general, text="welcome, everyone")
    membership = member_add(actor=team.admin, workspace=team.workspace, user=newcomer)
    assert (membership.role, membership.is_active) == (Role.MEMBER, True)
    assert ChannelMember.objects.get(channel=team.general, user=newcomer).last_read_seq == 1
    assert not ChannelMember.objects.filter(channel=team.random, user=newcomer).exists()


def test_a_guest_joins_no_channel(team, newcomer):
    member_add(actor=team.admin, workspace=team.workspace, user=newcomer, role=Role.GUEST)
    assert not ChannelMember.objects.filter(user=newcomer).exists()


def test_adding_someone_already_in_the_workspace_returns_their_membership(team):
    with nothing_written():
        membership = member_add(actor=team.owner, workspace=team.workspace, user=team.guest, role=Role.ADMIN)
    assert membership.role == Role.GUEST


def test_only_owners_add_owners(team, newcomer):
    with refused(ErrorCode.RESTRICTED_ACTION):
        member_add(actor=team.admin, workspace=team.workspace, user=newcomer, role=Role.OWNER)
    member_add(actor=team.owner, workspace=team.workspace, user=newcomer, role=Role.OWNER)
    assert Membership.objects.get(user=newcomer, workspace=team.workspace).role == Role.OWNER


@pytest.mark.parametrize("who", ["member", "guest"])
def test_members_and_guests_cannot_add_people(team, newcomer, who):
    with refused(ErrorCode.RESTRICTED_ACTION):
        member_add(actor=getattr(team, who), workspace=team.workspace, user=newcomer)


def test_an_unknown_role_is_invalid_role(team, newcomer):
    with refused(ErrorCode.INVALID_ROLE):
        member_add(actor=team.owner, workspace=team.workspace, user=newcomer, role="boss")


def test_a_deactivated_account_cannot_be_added(team):
    inactive = UserFactory(is_active=False)
    with refused(ErrorCode.ACCOUNT_INACTIVE):
        member_add(actor=team.owner, workspace=team.workspace, user=inactive)


def test_the_operator_adds_anyone_in_any_role(team, newcomer):
    assert member_add(actor=None, workspace=team.workspace, user=newcomer, role=Role.OWNER).role == Role.OWNER
