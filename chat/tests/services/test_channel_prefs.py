"""channel_prefs_update: muting a channel and choosing what in it notifies you, for yourself only."""

import pytest

from chat.models import ChannelMember
from chat.services import channel_create, channel_prefs_update
from realtime import transport
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused
from workspaces.services import member_deactivate

pytestmark = pytest.mark.django_db


def _prefs(channel, user) -> tuple[bool, str]:
    member = ChannelMember.objects.get(channel=channel, user=user)
    return member.muted, member.notify_level


def test_a_member_mutes_and_unmutes_a_channel_for_themselves_only(team):
    channel_prefs_update(actor=team.member, channel=team.general, muted=True)
    assert _prefs(team.general, team.member) == (True, "mentions")
    assert _prefs(team.general, team.owner) == (False, "mentions")
    channel_prefs_update(actor=team.member, channel=team.general, muted=False)
    assert _prefs(team.general, team.member) == (False, "mentions")


def test_only_what_is_given_changes(team):
    channel_prefs_update(actor=team.member, channel=team.general, muted=True)
    channel_prefs_update(actor=team.member, channel=team.general, notify_level="all")
    assert _prefs(team.general, team.member) == (True, "all")
    channel_prefs_update(actor=team.member, channel=team.general, muted=False, notify_level="nothing")
    assert _prefs(team.general, team.member) == (False, "nothing")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({}, None),
        ({"muted": "yes"}, "muted"),
        ({"muted": 1}, "muted"),
        ({"notify_level": "loud"}, "notify_level"),
        ({"notify_level": ""}, "notify_level"),
    ],
)
def test_bad_preferences_are_invalid_arguments_and_change_nothing(team, changes, field):
    with refused(ErrorCode.INVALID_ARGUMENTS) as error:
        channel_prefs_update(actor=team.member, channel=team.general, **changes)
    if field:
        assert field in error.value.fields
    assert _prefs(team.general, team.member) == (False, "mentions")


def test_a_private_channel_you_are_not_in_does_not_exist_for_you(team):
    secret = channel_create(actor=team.owner, workspace=team.workspace, name="secret", is_private=True)
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        channel_prefs_update(actor=team.member, channel=secret, muted=True)


def test_a_public_channel_must_be_joined_before_muting_it(team):
    with refused(ErrorCode.NOT_IN_CHANNEL):
        channel_prefs_update(actor=team.member, channel=team.random, muted=True)


def test_a_deactivated_member_cannot_change_preferences(team):
    member_deactivate(actor=team.owner, workspace=team.workspace, user=team.member)
    with refused(ErrorCode.ACCOUNT_INACTIVE):
        channel_prefs_update(actor=team.member, channel=team.general, muted=True)


def test_the_users_other_clients_hear_of_a_change_and_nobody_hears_of_no_change(
    team, layer_listener, django_capture_on_commit_callbacks
):
    listener = layer_listener(transport.user_group(team.member))
    with django_capture_on_commit_callbacks(execute=True):
        channel_prefs_update(actor=team.member, channel=team.general, muted=True, notify_level="all")
    assert listener.receive_event() == {
        "type": "channel_prefs_changed",
        "channel": team.general.public_id,
        "muted": True,
        "notify_level": "all",
    }
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        channel_prefs_update(actor=team.member, channel=team.general, muted=True)  # already muted
    assert callbacks == []
