"""channel_create: public and private channels with Slack's naming rules."""

import re

import pytest

from chat.models import Channel, ChannelKind, ChannelMember
from chat.services import channel_archive, channel_create, dm_open
from slackclone.errors import ErrorCode
from slackclone.ids import ALPHABET
from slackclone.testing.assertions import refused

pytestmark = pytest.mark.django_db


def _create(team, name, actor=None, **kwargs) -> Channel:
    return channel_create(actor=actor or team.member, workspace=team.workspace, name=name, **kwargs)


def _members(channel) -> set[int]:
    return set(ChannelMember.objects.filter(channel=channel).values_list("user_id", flat=True))


def test_public_channel_has_a_c_id_and_its_creator_as_only_member(team):
    channel = _create(team, "design", topic="  Pixels  ", purpose="Make it pretty")
    assert re.fullmatch(rf"C[{ALPHABET}]{{10}}", channel.public_id)
    assert channel.kind == ChannelKind.PUBLIC
    assert (channel.name, channel.topic, channel.purpose) == ("design", "Pixels", "Make it pretty")
    assert channel.created_by == team.member
    assert _members(channel) == {team.member.pk}
    assert (channel.last_seq, channel.is_archived, channel.is_general) == (0, False, False)


def test_private_channel_has_a_g_id_and_its_creator_as_only_member(team):
    channel = _create(team, "hiring", is_private=True)
    assert re.fullmatch(rf"G[{ALPHABET}]{{10}}", channel.public_id)
    assert channel.kind == ChannelKind.PRIVATE
    assert _members(channel) == {team.member.pk}


def test_a_name_of_80_characters_is_allowed(team):
    assert _create(team, "a" * 80).name == "a" * 80


def test_hash_prefix_and_spaces_around_the_name_are_forgiven(team):
    assert _create(team, " #ops ").name == "ops"


@pytest.mark.parametrize(
    "name",
    ["Design", "design team", "a" * 81, "design.team", "design/team", "déjà-vu", "-leading-hyphen", "", "   "],
)
def test_names_breaking_slacks_rules_are_invalid_name(team, name):
    with refused(ErrorCode.INVALID_NAME):
        _create(team, name)


@pytest.mark.parametrize("existing", ["public", "private", "archived"])
def test_a_name_used_by_any_channel_of_the_workspace_is_name_taken(team, existing):
    channel = _create(team, "launch", actor=team.owner, is_private=existing == "private")
    if existing == "archived":
        channel_archive(actor=team.owner, channel=channel)
    with refused(ErrorCode.NAME_TAKEN) as info:
        _create(team, "#launch")
    assert info.value.http_status == 409


def test_the_same_name_is_free_in_another_workspace(team, outsider):
    other_workspace = outsider.memberships.get().workspace
    _create(team, "launch")
    assert channel_create(actor=outsider, workspace=other_workspace, name="launch").name == "launch"


def test_dms_do_not_take_channel_names(team):
    dm_open(actor=team.member, workspace=team.workspace, users=[team.owner])
    assert _create(team, "dm").name == "dm"


def test_guests_cannot_create_channels(team):
    with refused(ErrorCode.RESTRICTED_ACTION):
        _create(team, "guest-room", actor=team.guest)


def test_someone_outside_the_workspace_cannot_create_channels_in_it(team, outsider):
    with refused(ErrorCode.WORKSPACE_NOT_FOUND):
        _create(team, "intruder", actor=outsider)


def test_topic_longer_than_250_characters_is_invalid_arguments(team):
    with refused(ErrorCode.INVALID_ARGUMENTS):
        _create(team, "wordy", topic="x" * 251)


def test_operator_creates_a_channel_with_nobody_in_it(team):
    channel = channel_create(actor=None, workspace=team.workspace, name="announcements")
    assert channel.created_by is None
    assert _members(channel) == set()
