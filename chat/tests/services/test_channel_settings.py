"""channel_set_topic, channel_set_purpose and channel_rename."""

import pytest

from chat.models import Channel
from chat.services import channel_create, channel_invite, channel_rename, channel_set_purpose, channel_set_topic
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import nothing_written, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(team) -> Channel:
    channel = channel_create(actor=team.member, workspace=team.workspace, name="marketing")
    channel_invite(actor=team.member, channel=channel, users=[team.guest])
    return channel


# --- topic and purpose ------------------------------------------------------------------------


@pytest.mark.parametrize("setter", [channel_set_topic, channel_set_purpose])
def test_members_set_topic_and_purpose(team, channel, setter):
    field = setter.__name__.removeprefix("channel_set_")
    setter(actor=team.guest, channel=channel, **{field: "  Q3 launch  "})
    assert getattr(Channel.objects.get(pk=channel.pk), field) == "Q3 launch"


@pytest.mark.parametrize("setter", [channel_set_topic, channel_set_purpose])
def test_topic_or_purpose_over_250_characters_is_invalid_arguments(team, channel, setter):
    field = setter.__name__.removeprefix("channel_set_")
    with refused(ErrorCode.INVALID_ARGUMENTS):
        setter(actor=team.member, channel=channel, **{field: "x" * 251})


def test_non_member_cannot_set_the_topic_of_a_public_channel(team, channel):
    with refused(ErrorCode.NOT_IN_CHANNEL):
        channel_set_topic(actor=team.other_member, channel=channel, topic="mine now")


def test_non_member_cannot_set_the_topic_of_a_private_channel(team):
    private = channel_create(actor=team.member, workspace=team.workspace, name="board-room", is_private=True)
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        channel_set_topic(actor=team.owner, channel=private, topic="hello")


# --- rename -------------------------------------------------------------------------------------


def test_member_renames_a_channel(team, channel):
    channel_rename(actor=team.member, channel=channel, name="#growth")
    assert Channel.objects.get(pk=channel.pk).name == "growth"


def test_renaming_to_the_current_name_changes_nothing(team, channel):
    with nothing_written():
        channel_rename(actor=team.member, channel=channel, name="marketing")


@pytest.mark.parametrize("name", ["Growth", "growth team", "g" * 81, "growth!"])
def test_renaming_to_an_invalid_name_is_invalid_name(team, channel, name):
    with refused(ErrorCode.INVALID_NAME):
        channel_rename(actor=team.member, channel=channel, name=name)


def test_renaming_to_a_taken_name_is_name_taken(team, channel):
    with refused(ErrorCode.NAME_TAKEN):
        channel_rename(actor=team.member, channel=channel, name="random")


def test_guests_cannot_rename(team, channel):
    with refused(ErrorCode.RESTRICTED_ACTION):
        channel_rename(actor=team.guest, channel=channel, name="guest-room")
