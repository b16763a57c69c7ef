"""dm_open: one DM or group DM per set of people in a workspace."""

import re

import pytest

from chat.models import Channel, ChannelKind, ChannelMember
from chat.services import dm_open, message_post
from slackclone.errors import ErrorCode
from slackclone.ids import ALPHABET
from slackclone.testing.assertions import nothing_written, refused
from slackclone.testing.factories import (
    ChannelFactory,
    ChannelMemberFactory,
    UserFactory,
    add_member,
    workspace_with_owner,
)
from workspaces.services import member_deactivate

pytestmark = pytest.mark.django_db


def _open(team, actor, *others):
    return dm_open(actor=actor, workspace=team.workspace, users=list(others))


def _members(channel) -> set[int]:
    return set(ChannelMember.objects.filter(channel=channel).values_list("user_id", flat=True))


def test_opening_a_dm_twice_returns_the_same_channel_whoever_opens_it(team):
    dm, created = _open(team, team.member, team.owner)
    assert created
    assert dm.kind == ChannelKind.DM
    assert re.fullmatch(rf"D[{ALPHABET}]{{10}}", dm.public_id)
    assert dm.name is None
    assert _members(dm) == {team.member.pk, team.owner.pk}
    with nothing_written():
        again, created_again = _open(team, team.member, team.owner)
        reversed_order, created_reversed = _open(team, team.owner, team.member)
    assert (again.pk, reversed_order.pk) == (dm.pk, dm.pk)
    assert not created_again
    assert not created_reversed


def test_group_dm_is_one_channel_for_its_set_of_people_in_any_order(team):
    group, created = _open(team, team.member, team.owner, team.admin)
    assert created
    assert group.kind == ChannelKind.GROUP_DM
    assert _members(group) == {team.member.pk, team.owner.pk, team.admin.pk}
    assert _open(team, team.admin, team.owner, team.member)[0].pk == group.pk
    assert _open(team, team.owner, team.member, team.admin, team.member)[0].pk == group.pk
    assert _open(team, team.member, team.owner)[0].pk != group.pk  # a DM of two is another channel


def test_a_dm_with_yourself_is_a_channel_of_one(team):
    notes, _ = _open(team, team.member)
    assert notes.kind == ChannelKind.DM
    assert _members(notes) == {team.member.pk}
    assert _open(team, team.member, team.member)[0].pk == notes.pk


def test_guests_may_dm_members_they_share_a_channel_with(team):
    shared = ChannelFactory(workspace=team.workspace)
    ChannelMemberFactory(channel=shared, user=team.guest)
    ChannelMemberFactory(channel=shared, user=team.member)
    dm, _ = _open(team, team.guest, team.member)
    assert message_post(sender=team.guest, channel=dm, text="hi!").seq == 1


def test_to_a_guest_someone_they_share_nothing_with_is_not_there(team):
    """As for people lists: a guest sees only the people they share a channel or DM with."""
    with refused(ErrorCode.USER_NOT_FOUND):
        _open(team, team.guest, team.owner)
    with refused(ErrorCode.USER_NOT_FOUND):
        _open(team, team.guest, team.member, team.owner)


def test_dm_with_someone_outside_the_workspace_is_user_not_found(team, outsider):
    with refused(ErrorCode.USER_NOT_FOUND):
        _open(team, team.member, outsider)


def test_dm_with_a_deactivated_member_is_user_not_found(team):
    member_deactivate(actor=team.owner, workspace=team.workspace, user=team.other_member)
    with refused(ErrorCode.USER_NOT_FOUND):
        _open(team, team.member, team.other_member)


def test_dm_with_a_deactivated_account_is_user_not_found(team):
    team.other_member.is_active = False
    team.other_member.save(update_fields=["is_active"])
    with refused(ErrorCode.USER_NOT_FOUND):
        _open(team, team.member, team.owner, team.other_member)


def test_opening_a_dm_in_a_workspace_you_are_not_in_is_workspace_not_found(team, outsider):
    with refused(ErrorCode.WORKSPACE_NOT_FOUND):
        _open(team, outsider, team.member)


def test_group_dm_of_more_than_nine_people_is_invalid_arguments(team):
    people = [team.new_member() for _ in range(9)]
    with refused(ErrorCode.INVALID_ARGUMENTS):
        _open(team, team.member, *people)
    assert _open(team, team.member, *people[:8])[1]


def test_third_party_cannot_post_in_a_dm(team):
    dm, _ = _open(team, team.member, team.owner)
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        message_post(sender=team.admin, channel=dm, text="let me in")


def test_the_same_two_people_have_a_separate_dm_in_each_workspace(team):
    other_workspace = workspace_with_owner(team.owner)
    add_member(other_workspace, team.member)
    here, _ = _open(team, team.member, team.owner)
    there, _ = dm_open(actor=team.member, workspace=other_workspace, users=[team.owner])
    assert here.pk != there.pk
    assert Channel.objects.filter(kind=ChannelKind.DM, dm_key=here.dm_key).count() == 2


def test_user_never_added_anywhere_is_user_not_found(team):
    stranger = UserFactory()
    with refused(ErrorCode.USER_NOT_FOUND):
        _open(team, team.member, stranger)
