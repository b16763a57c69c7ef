"""channel_archive and channel_unarchive: an archived channel is read-only until brought back."""

import pytest

from chat.models import Channel
from chat.selectors import history
from chat.services import (
    channel_archive,
    channel_create,
    channel_invite,
    channel_mark_read,
    channel_rename,
    channel_set_purpose,
    channel_set_topic,
    channel_unarchive,
    dm_open,
    message_post,
    pin_add,
)
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(team) -> Channel:
    channel = channel_create(actor=team.member, workspace=team.workspace, name="project-x")
    channel_invite(actor=team.member, channel=channel, users=[team.other_member, team.guest])
    message_post(sender=team.member, channel=channel, text="kick-off")
    return channel


def test_archived_channel_keeps_its_history_readable(team, channel):
    channel_archive(actor=team.other_member, channel=channel)
    assert Channel.objects.get(pk=channel.pk).is_archived
    assert [m.text for m in history(channel=channel)] == ["kick-off"]
    channel_mark_read(actor=team.other_member, channel=channel, seq=1)  # reading is still allowed


@pytest.mark.parametrize(
    "write",
    [
        lambda team, channel: message_post(sender=team.member, channel=channel, text="one more thing"),
        lambda team, channel: channel_set_topic(actor=team.member, channel=channel, topic="new topic"),
        lambda team, channel: channel_set_purpose(actor=team.member, channel=channel, purpose="new purpose"),
        lambda team, channel: channel_rename(actor=team.member, channel=channel, name="project-y"),
        lambda team, channel: channel_invite(actor=team.member, channel=channel, users=[team.admin]),
        lambda team, channel: pin_add(actor=team.member, message=channel.messages.get()),
        lambda team, channel: channel_archive(actor=team.member, channel=channel),
    ],
    ids=["post", "topic", "purpose", "rename", "invite", "pin", "archive-again"],
)
def test_archived_channel_refuses_writes_with_is_archived(team, channel, write):
    channel_archive(actor=team.member, channel=channel)
    with refused(ErrorCode.IS_ARCHIVED):
        write(team, channel)


def test_unarchived_channel_takes_posts_again(team, channel):
    channel_archive(actor=team.member, channel=channel)
    channel_unarchive(actor=team.other_member, channel=channel)
    assert not Channel.objects.get(pk=channel.pk).is_archived
    assert message_post(sender=team.member, channel=channel, text="we're back").seq == 2


def test_unarchiving_a_live_channel_is_not_archived(team, channel):
    with refused(ErrorCode.NOT_ARCHIVED):
        channel_unarchive(actor=team.member, channel=channel)


def test_general_cannot_be_archived(team):
    with refused(ErrorCode.CANT_ARCHIVE_GENERAL):
        channel_archive(actor=team.owner, channel=team.general)


def test_guests_cannot_archive(team, channel):
    with refused(ErrorCode.RESTRICTED_ACTION):
        channel_archive(actor=team.guest, channel=channel)


def test_non_member_cannot_archive_a_private_channel(team):
    private = channel_create(actor=team.member, workspace=team.workspace, name="quiet", is_private=True)
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        channel_archive(actor=team.owner, channel=private)


def test_non_member_cannot_archive_a_public_channel(team, channel):
    with refused(ErrorCode.NOT_IN_CHANNEL):
        channel_archive(actor=team.admin, channel=channel)


def test_dms_cannot_be_archived(team):
    dm, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.owner])
    with refused(ErrorCode.UNSUPPORTED_FOR_CHANNEL_TYPE):
        channel_archive(actor=team.member, channel=dm)
