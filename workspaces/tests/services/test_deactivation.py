"""member_deactivate and member_reactivate: a deactivated member keeps their history and can do nothing."""

import pytest

from chat.models import ChannelMember, Message
from chat.selectors import channel_get
from chat.services import (
    channel_archive,
    channel_create,
    channel_invite,
    channel_join,
    channel_kick,
    channel_leave,
    channel_mark_read,
    channel_rename,
    channel_set_topic,
    dm_open,
    message_delete,
    message_edit,
    message_post,
    pin_add,
    reaction_add,
    reaction_remove,
)
from integrations.tokens import api_token_create
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import nothing_written, refused
from slackclone.testing.factories import add_member, workspace_with_owner
from workspaces.models import Membership, Role
from workspaces.services import (
    invitation_create,
    member_add,
    member_change_role,
    member_deactivate,
    member_reactivate,
)
from workspaces.tokens import api_token_authenticate

pytestmark = pytest.mark.django_db


def _membership(team, user) -> Membership:
    return Membership.objects.get(workspace=team.workspace, user=user)


@pytest.fixture
def scene(team):
    """The member has a channel of their own, messages, a reaction and a DM, then is deactivated."""
    project = channel_create(actor=team.member, workspace=team.workspace, name="project")
    channel_invite(actor=team.member, channel=project, users=[team.other_member])
    mine = message_post(sender=team.member, channel=team.general, text="my words stay")
    theirs = message_post(sender=team.owner, channel=team.general, text="hello")
    reaction_add(actor=team.member, message=theirs, emoji="wave")
    dm, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.owner])
    member_deactivate(actor=team.admin, workspace=team.workspace, user=team.member)
    return {"project": project, "mine": mine, "theirs": theirs, "dm": dm}


def test_deactivated_member_keeps_their_messages_and_memberships(team, scene):
    membership = _membership(team, team.member)
    assert not membership.is_active
    assert membership.deactivated_at is not None
    mine = Message.objects.get(pk=scene["mine"].pk)
    assert (mine.author, mine.text, mine.deleted_at) == (team.member, "my words stay", None)
    assert ChannelMember.objects.filter(user=team.member).count() == 3


ATTEMPTS = {
    "post": lambda t, s: message_post(sender=t.member, channel=t.general, text="still here"),
    "post-dm": lambda t, s: message_post(sender=t.member, channel=s["dm"], text="psst"),
    "edit": lambda t, s: message_edit(actor=t.member, message=s["mine"], text="changed"),
    "delete": lambda t, s: message_delete(actor=t.member, message=s["mine"]),
    "react": lambda t, s: reaction_add(actor=t.member, message=s["theirs"], emoji="eyes"),
    "unreact": lambda t, s: reaction_remove(actor=t.member, message=s["theirs"], emoji="wave"),
    "pin": lambda t, s: pin_add(actor=t.member, message=s["theirs"]),
    "create-channel": lambda t, s: channel_create(actor=t.member, workspace=t.workspace, name="new"),
    "join": lambda t, s: channel_join(actor=t.member, channel=t.random),
    "leave": lambda t, s: channel_leave(actor=t.member, channel=s["project"]),
    "invite": lambda t, s: channel_invite(actor=t.member, channel=s["project"], users=[t.admin]),
    "kick": lambda t, s: channel_kick(actor=t.member, channel=s["project"], user=t.other_member),
    "archive": lambda t, s: channel_archive(actor=t.member, channel=s["project"]),
    "rename": lambda t, s: channel_rename(actor=t.member, channel=s["project"], name="renamed"),
    "topic": lambda t, s: channel_set_topic(actor=t.member, channel=s["project"], topic="mine"),
    "mark-read": lambda t, s: channel_mark_read(actor=t.member, channel=t.general, seq=2),
    "open-dm": lambda t, s: dm_open(actor=t.member, workspace=t.workspace, users=[t.admin]),
    "read-channel": lambda t, s: channel_get(actor=t.member, public_id=t.general.public_id),
    "create-token": lambda t, s: api_token_create(actor=t.member, user=t.member, workspace=t.workspace),
}


@pytest.mark.parametrize("attempt", ATTEMPTS.values(), ids=ATTEMPTS.keys())
def test_every_service_refuses_a_deactivated_member_with_account_inactive(team, scene, attempt):
    with refused(ErrorCode.ACCOUNT_INACTIVE):
        attempt(team, scene)


def test_deactivated_admin_loses_admin_powers(team):
    member_deactivate(actor=team.owner, workspace=team.workspace, user=team.admin)
    with refused(ErrorCode.ACCOUNT_INACTIVE):
        invitation_create(actor=team.admin, workspace=team.workspace)
    with refused(ErrorCode.ACCOUNT_INACTIVE):
        member_change_role(actor=team.admin, workspace=team.workspace, user=team.member, role=Role.GUEST)


def test_deactivated_members_api_tokens_stop_working(team):
    _, raw = api_token_create(actor=team.member, user=team.member, workspace=team.workspace)
    member_deactivate(actor=team.admin, workspace=team.workspace, user=team.member)
    with refused(ErrorCode.ACCOUNT_INACTIVE):
        api_token_authenticate(raw)


def test_others_can_no_longer_dm_or_invite_a_deactivated_member(team, scene):
    with refused(ErrorCode.USER_NOT_FOUND):
        dm_open(actor=team.admin, workspace=team.workspace, users=[team.member])
    with refused(ErrorCode.USER_NOT_FOUND):
        channel_invite(actor=team.owner, channel=team.random, users=[team.member])


def test_being_added_again_is_refused_while_deactivated(team, scene):
    with refused(ErrorCode.ACCOUNT_INACTIVE):
        member_add(actor=team.owner, workspace=team.workspace, user=team.member)


def test_deactivation_in_one_workspace_leaves_the_others_alone(team):
    elsewhere = workspace_with_owner(team.admin)
    add_member(elsewhere, team.member)
    member_deactivate(actor=team.owner, workspace=team.workspace, user=team.member)
    general_elsewhere = channel_get(actor=team.admin, public_id=elsewhere.channels.get(name="general").public_id)
    assert message_post(sender=team.member, channel=general_elsewhere, text="still welcome here").seq == 1


def test_reactivated_member_gets_their_channels_back(team, scene):
    member_reactivate(actor=team.admin, workspace=team.workspace, user=team.member)
    membership = _membership(team, team.member)
    assert (membership.is_active, membership.deactivated_at) == (True, None)
    assert message_post(sender=team.member, channel=scene["project"], text="I'm back").seq == 1


def test_deactivating_twice_or_reactivating_an_active_member_changes_nothing(team, scene):
    with nothing_written():
        member_deactivate(actor=team.admin, workspace=team.workspace, user=team.member)
        member_reactivate(actor=team.admin, workspace=team.workspace, user=team.other_member)


def test_the_last_owner_cannot_be_deactivated(team):
    with refused(ErrorCode.LAST_OWNER):
        member_deactivate(actor=None, workspace=team.workspace, user=team.owner)


@pytest.mark.parametrize("target", ["owner", "other_admin"])
def test_admins_cannot_deactivate_owners_or_other_admins(team, target):
    other_admin = team.new_member(Role.ADMIN)
    user = team.owner if target == "owner" else other_admin
    with refused(ErrorCode.RESTRICTED_ACTION):
        member_deactivate(actor=team.admin, workspace=team.workspace, user=user)


@pytest.mark.parametrize("who", ["member", "guest"])
def test_members_and_guests_cannot_deactivate_anyone(team, who):
    with refused(ErrorCode.RESTRICTED_ACTION):
        member_deactivate(actor=getattr(team, who), workspace=team.workspace, user=team.other_member)


def test_deactivating_someone_outside_the_workspace_is_user_not_found(team, outsider):
    with refused(ErrorCode.USER_NOT_FOUND):
        member_deactivate(actor=team.owner, workspace=team.workspace, user=outsider)


def test_owner_deactivates_an_admin(team):
    member_deactivate(actor=team.owner, workspace=team.workspace, user=team.admin)
    assert not _membership(team, team.admin).is_active
