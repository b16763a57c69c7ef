"""realtime.calls, the gateway's database calls, called as its worker threads call them."""

import pytest

from chat.services import channel_create, channel_leave, dm_open
from realtime import calls
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused
from slackclone.testing.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db

typing_target = calls.typing_target.func  # the function the gateway runs in a worker thread


def test_the_typing_seq_is_the_channels_last_seq_and_its_workspace(team):
    assert typing_target(team.member.pk, None, team.general.public_id) == calls.TypingTarget(
        team.general.last_seq, team.workspace.public_id
    )


def test_the_typing_seq_is_refused_to_someone_no_longer_in_the_channel(team):
    elsewhere = channel_create(actor=team.owner, workspace=team.workspace, name="elsewhere")
    with refused(ErrorCode.NOT_IN_CHANNEL):
        typing_target(team.member.pk, None, elsewhere.public_id)
    left = channel_create(actor=team.member, workspace=team.workspace, name="left")
    channel_leave(actor=team.member, channel=left)
    with refused(ErrorCode.NOT_IN_CHANNEL):
        typing_target(team.member.pk, None, left.public_id)


def test_the_typing_seq_of_a_channel_hidden_from_the_socket_is_channel_not_found(team):
    hushed = channel_create(actor=team.owner, workspace=team.workspace, name="hush", is_private=True)
    with refused(ErrorCode.CHANNEL_NOT_FOUND):  # a private channel they are not in, admin or not
        typing_target(team.admin.pk, None, hushed.public_id)
    elsewhere = WorkspaceFactory()
    with refused(ErrorCode.CHANNEL_NOT_FOUND):  # a token's socket acts only in its token's workspace
        typing_target(team.member.pk, elsewhere.pk, team.general.public_id)
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        typing_target(team.guest.pk, None, team.general.public_id)


def test_a_channel_larger_than_the_typing_limit_announces_nobody(team, settings):
    settings.TYPING_MAX_CHANNEL_MEMBERS = 2
    assert typing_target(team.member.pk, None, team.general.public_id) is None
    small = channel_create(actor=team.member, workspace=team.workspace, name="small", is_private=True)
    assert typing_target(team.member.pk, None, small.public_id) == calls.TypingTarget(0, team.workspace.public_id)


def test_a_group_dm_announces_typing_whatever_the_limit(team, settings):
    settings.TYPING_MAX_CHANNEL_MEMBERS = 2
    group, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.owner, team.other_member])
    assert typing_target(team.member.pk, None, group.public_id) is not None  # three people, over the limit


def test_the_typing_limit_is_checked_after_access(team, settings):
    settings.TYPING_MAX_CHANNEL_MEMBERS = 2
    hushed = channel_create(actor=team.owner, workspace=team.workspace, name="hush", is_private=True)
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        typing_target(team.admin.pk, None, hushed.public_id)
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        typing_target(team.guest.pk, None, team.general.public_id)
