"""channel_join, channel_leave, channel_invite and channel_kick: who is in a channel.

Private channels stay invisible to non-members (channel_not_found, never a permission
error); guests are only ever in channels they were invited to.
"""

import pytest

from chat.models import Channel, ChannelMember
from chat.services import (
    channel_archive,
    channel_create,
    channel_invite,
    channel_join,
    channel_kick,
    channel_leave,
    dm_open,
    message_post,
)
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import nothing_written, refused
from slackclone.testing.factories import UserFactory
from workspaces.services import member_deactivate

pytestmark = pytest.mark.django_db


def _is_member(channel: Channel, user) -> bool:
    return ChannelMember.objects.filter(channel=channel, user=user).exists()


@pytest.fixture
def private(team) -> Channel:
    channel = channel_create(actor=team.member, workspace=team.workspace, name="skunkworks", is_private=True)
    message_post(sender=team.member, channel=channel, text="secret")
    return channel


@pytest.fixture
def archived(team) -> Channel:
    channel = channel_create(actor=team.member, workspace=team.workspace, name="past")
    channel_archive(actor=team.member, channel=channel)
    return channel


# --- join -----------------------------------------------------------------------------------


def test_member_joins_a_public_channel_with_its_history_already_read(team):
    message_post(sender=team.owner, channel=team.random, text="before you came")
    member = channel_join(actor=team.member, channel=team.random)
    assert member.last_read_seq == 1
    assert _is_member(team.random, team.member)


def test_joining_a_channel_you_are_in_returns_your_membership(team):
    existing = ChannelMember.objects.get(channel=team.general, user=team.member)
    with nothing_written():
        assert channel_join(actor=team.member, channel=team.general).pk == existing.pk


def test_joining_a_private_channel_is_channel_not_found(team, private):
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        channel_join(actor=team.admin, channel=private)


def test_guest_cannot_join_a_public_channel_by_themselves(team):
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        channel_join(actor=team.guest, channel=team.random)


def test_joining_an_archived_channel_is_is_archived(team, archived):
    with refused(ErrorCode.IS_ARCHIVED):
        channel_join(actor=team.other_member, channel=archived)


def test_joining_someone_elses_dm_is_channel_not_found(team):
    dm, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.owner])
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        channel_join(actor=team.admin, channel=dm)


def test_joining_a_channel_of_another_workspace_is_channel_not_found(team, outsider):
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        channel_join(actor=outsider, channel=team.random)


# --- leave ------------------------------------------------------------------------------------


def test_member_leaves_a_channel(team):
    channel_join(actor=team.member, channel=team.random)
    channel_leave(actor=team.member, channel=team.random)
    assert not _is_member(team.random, team.member)


def test_after_leaving_a_private_channel_it_no_longer_exists_for_you(team, private):
    channel_invite(actor=team.member, channel=private, users=[team.other_member])
    channel_leave(actor=team.other_member, channel=private)
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        channel_join(actor=team.other_member, channel=private)


def test_nobody_can_leave_general(team):
    with refused(ErrorCode.CANT_LEAVE_GENERAL):
        channel_leave(actor=team.member, channel=team.general)


def test_leaving_a_channel_you_are_not_in_is_not_in_channel(team):
    with refused(ErrorCode.NOT_IN_CHANNEL):
        channel_leave(actor=team.member, channel=team.random)


def test_leaving_a_private_channel_you_are_not_in_is_channel_not_found(team, private):
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        channel_leave(actor=team.other_member, channel=private)


def test_leaving_an_archived_channel_is_is_archived(team, archived):
    with refused(ErrorCode.IS_ARCHIVED):
        channel_leave(actor=team.member, channel=archived)


def test_leaving_a_dm_is_not_supported(team):
    dm, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.owner])
    with refused(ErrorCode.UNSUPPORTED_FOR_CHANNEL_TYPE):
        channel_leave(actor=team.member, channel=dm)


# --- invite ---------------------------------------------------------------------------------


def test_member_invites_people_into_a_private_channel(team, private):
    created = channel_invite(actor=team.member, channel=private, users=[team.other_member, team.admin])
    assert {m.user_id for m in created} == {team.other_member.pk, team.admin.pk}
    assert all(m.last_read_seq == 1 for m in created)
    message_post(sender=team.other_member, channel=private, text="thanks for having me")


def test_people_already_in_the_channel_are_left_as_they_are(team, private):
    channel_invite(actor=team.member, channel=private, users=[team.other_member])
    ChannelMember.objects.filter(channel=private, user=team.other_member).update(last_read_seq=0, muted=True)
    created = channel_invite(actor=team.member, channel=private, users=[team.other_member, team.member, team.admin])
    assert [m.user_id for m in created] == [team.admin.pk]
    kept = ChannelMember.objects.get(channel=private, user=team.other_member)
    assert (kept.last_read_seq, kept.muted) == (0, True)


def test_guest_invited_to_a_channel_can_use_it_and_only_it(team):
    channel_invite(actor=team.member, channel=team.general, users=[team.guest])
    message_post(sender=team.guest, channel=team.general, text="hello from a guest")
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        message_post(sender=team.guest, channel=team.random, text="and here?")


def test_guests_cannot_invite_people(team):
    channel_invite(actor=team.member, channel=team.general, users=[team.guest])
    newcomer = team.new_member()
    with refused(ErrorCode.RESTRICTED_ACTION):
        channel_invite(actor=team.guest, channel=team.general, users=[newcomer])


@pytest.mark.parametrize("who", ["outsider", "stranger", "deactivated"])
def test_inviting_anyone_not_active_in_the_workspace_is_user_not_found_and_adds_nobody(team, private, outsider, who):
    if who == "deactivated":
        member_deactivate(actor=team.owner, workspace=team.workspace, user=team.other_member)
    invitee = {"outsider": outsider, "stranger": UserFactory(), "deactivated": team.other_member}[who]
    with refused(ErrorCode.USER_NOT_FOUND) as info:
        channel_invite(actor=team.member, channel=private, users=[team.admin, invitee])
    assert info.value.fields == {"users": invitee.public_id}


def test_inviting_nobody_is_invalid_arguments(team, private):
    with refused(ErrorCode.INVALID_ARGUMENTS):
        channel_invite(actor=team.member, channel=private, users=[])


def test_non_member_of_a_private_channel_cannot_invite_into_it(team, private):
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        channel_invite(actor=team.admin, channel=private, users=[team.other_member])


def test_non_member_of_a_public_channel_cannot_invite_into_it(team):
    with refused(ErrorCode.NOT_IN_CHANNEL):
        channel_invite(actor=team.member, channel=team.random, users=[team.other_member])


def test_inviting_into_an_archived_channel_is_is_archived(team, archived):
    with refused(ErrorCode.IS_ARCHIVED):
        channel_invite(actor=team.member, channel=archived, users=[team.other_member])


def test_inviting_into_a_dm_is_not_supported(team):
    dm, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.owner])
    with refused(ErrorCode.UNSUPPORTED_FOR_CHANNEL_TYPE):
        channel_invite(actor=team.member, channel=dm, users=[team.admin])


# --- kick -------------------------------------------------------------------------------------


def test_kicked_member_is_no_longer_in_the_channel_and_cannot_post(team):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="crew")
    channel_invite(actor=team.member, channel=channel, users=[team.other_member, team.admin])
    channel_kick(actor=team.admin, channel=channel, user=team.other_member)
    assert not _is_member(channel, team.other_member)
    with refused(ErrorCode.NOT_IN_CHANNEL):
        message_post(sender=team.other_member, channel=channel, text="still here?")


def test_kicked_from_a_private_channel_it_no_longer_exists_for_you(team, private):
    channel_invite(actor=team.member, channel=private, users=[team.other_member])
    channel_kick(actor=team.member, channel=private, user=team.other_member)  # the creator may kick
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        message_post(sender=team.other_member, channel=private, text="let me back")


def test_ordinary_members_cannot_kick(team, private):
    channel_invite(actor=team.member, channel=private, users=[team.other_member, team.admin])
    with refused(ErrorCode.RESTRICTED_ACTION):
        channel_kick(actor=team.other_member, channel=private, user=team.admin)


def test_kicking_yourself_is_cant_kick_self(team, private):
    with refused(ErrorCode.CANT_KICK_SELF):
        channel_kick(actor=team.member, channel=private, user=team.member)


def test_nobody_is_kicked_from_general(team):
    with refused(ErrorCode.CANT_LEAVE_GENERAL):
        channel_kick(actor=team.owner, channel=team.general, user=team.member)


def test_kicking_someone_who_is_not_in_the_channel_is_not_in_channel(team, private):
    with refused(ErrorCode.NOT_IN_CHANNEL):
        channel_kick(actor=team.member, channel=private, user=team.other_member)


def test_admin_outside_a_private_channel_cannot_kick_from_it(team, private):
    channel_invite(actor=team.member, channel=private, users=[team.other_member])
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        channel_kick(actor=team.admin, channel=private, user=team.other_member)


def test_kicking_from_a_dm_is_not_supported(team):
    dm, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.owner])
    with refused(ErrorCode.UNSUPPORTED_FOR_CHANNEL_TYPE):
        channel_kick(actor=team.owner, channel=dm, user=team.member)
