"""Who may see a channel: the rule every surface shares through chat.permissions.

A private channel or DM you are not in does not exist for you: the error is the same
channel_not_found, with the same message, as for an id that was never issued.
"""

import pytest

from chat.models import Message
from chat.permissions import access_channel, access_channel_member, check_can_delete_message
from chat.selectors import channel_get
from chat.services import channel_create, channel_invite, dm_open, message_post
from slackclone.errors import DomainError, ErrorCode
from slackclone.testing.factories import UserFactory
from workspaces.services import member_deactivate

pytestmark = pytest.mark.django_db


def _error(call) -> DomainError:
    with pytest.raises(DomainError) as info:
        call()
    return info.value


@pytest.fixture
def private(team):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="secret-plans", is_private=True)
    message_post(sender=team.member, channel=channel, text="the plan")
    return channel


def test_member_of_private_channel_can_see_it(team, private):
    access = access_channel(team.member, private)
    assert access.channel_member is not None
    assert access.channel_member.user == team.member


@pytest.mark.parametrize("who", ["other_member", "admin", "owner", "guest"])
def test_non_member_cannot_see_private_channel_whatever_their_role(team, private, who):
    error = _error(lambda: access_channel(getattr(team, who), private))
    assert error.code == ErrorCode.CHANNEL_NOT_FOUND
    assert error.http_status == 404


def test_private_channel_you_are_not_in_is_indistinguishable_from_a_missing_one(team, private):
    hidden = _error(lambda: channel_get(actor=team.other_member, public_id=private.public_id))
    missing = _error(lambda: channel_get(actor=team.other_member, public_id="GNOSUCHTHING"))
    assert (hidden.code, hidden.message, hidden.fields) == (missing.code, missing.message, missing.fields)


def test_member_of_another_workspace_gets_channel_not_found_not_a_workspace_error(team, private, outsider):
    for channel in (private, team.general):
        error = _error(lambda channel=channel: channel_get(actor=outsider, public_id=channel.public_id))
        assert error.code == ErrorCode.CHANNEL_NOT_FOUND


def test_dm_is_private_to_its_two_people(team):
    dm, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.other_member])
    assert access_channel(team.other_member, dm).channel_member is not None
    assert _error(lambda: access_channel(team.admin, dm)).code == ErrorCode.CHANNEL_NOT_FOUND


def test_non_member_may_see_a_public_channel_but_is_not_in_it(team):
    access = access_channel(team.member, team.random)
    assert access.channel_member is None
    assert _error(lambda: access_channel_member(team.member, team.random)).code == ErrorCode.NOT_IN_CHANNEL


def test_guest_sees_only_public_channels_they_were_invited_to(team):
    assert _error(lambda: access_channel(team.guest, team.general)).code == ErrorCode.CHANNEL_NOT_FOUND
    assert _error(lambda: access_channel(team.guest, team.random)).code == ErrorCode.CHANNEL_NOT_FOUND
    channel_invite(actor=team.owner, channel=team.random, users=[team.guest])
    assert access_channel(team.guest, team.random).is_guest
    assert _error(lambda: access_channel(team.guest, team.general)).code == ErrorCode.CHANNEL_NOT_FOUND


def test_deactivated_member_is_account_inactive_even_for_channels_they_are_in(team):
    member_deactivate(actor=team.owner, workspace=team.workspace, user=team.member)
    team.member.refresh_from_db()
    assert _error(lambda: access_channel(team.member, team.general)).code == ErrorCode.ACCOUNT_INACTIVE


def test_deactivated_account_is_account_inactive_everywhere(team):
    team.member.is_active = False
    team.member.save(update_fields=["is_active"])
    assert _error(lambda: access_channel(team.member, team.general)).code == ErrorCode.ACCOUNT_INACTIVE


def test_operator_at_the_command_line_sees_everything(team, private):
    access = access_channel_member(None, private)
    assert access.is_operator
    assert access.is_admin


def test_only_author_or_workspace_admin_may_delete_a_message(team):
    message = message_post(sender=team.member, channel=team.general, text="mine")
    message = Message.objects.get(pk=message.pk)
    for who in ("member", "admin", "owner"):
        check_can_delete_message(access_channel(getattr(team, who), team.general), getattr(team, who), message)
    other = team.other_member
    error = _error(lambda: check_can_delete_message(access_channel(other, team.general), other, message))
    assert error.code == ErrorCode.CANT_DELETE_MESSAGE


def test_a_user_with_no_workspace_at_all_sees_no_channel(team):
    stranger = UserFactory()
    assert _error(lambda: access_channel(stranger, team.general)).code == ErrorCode.CHANNEL_NOT_FOUND


def test_the_actors_standing_in_a_channel_is_read_in_one_statement(team, private, django_assert_num_queries):
    with django_assert_num_queries(1):
        access = access_channel(team.member, private)
    assert access.workspace_membership is not None
    assert access.workspace_membership.user_id == team.member.pk
    assert access.workspace_membership.workspace_id == private.workspace_id
    assert access.channel_member is not None
    assert access.channel_member.channel_id == private.pk


def test_the_one_statement_finds_no_channel_row_for_a_workspace_member_outside_it(team, private):
    with pytest.raises(DomainError) as info:
        access_channel(team.other_member, private)
    assert info.value.code == ErrorCode.CHANNEL_NOT_FOUND
