"""invitation_create and invitation_accept: links and emailed invitations, limited in time and uses."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.models import ChannelMember
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import nothing_written, refused
from slackclone.testing.factories import UserFactory
from workspaces.models import Invitation, Membership, Role
from workspaces.services import invitation_accept, invitation_create, invitation_revoke, member_deactivate

pytestmark = pytest.mark.django_db


def _uses(invitation) -> int:
    return Invitation.objects.get(pk=invitation.pk).uses


# --- creating ---------------------------------------------------------------------------------


def test_admin_creates_a_link_anyone_can_use_until_it_expires(team):
    before = timezone.now()
    link = invitation_create(actor=team.admin, workspace=team.workspace)
    assert (link.email, link.role, link.max_uses, link.uses, link.inviter) == ("", Role.MEMBER, None, 0, team.admin)
    assert timedelta(days=13, hours=23) < link.expires_at - before <= timedelta(days=14, seconds=5)
    assert len(link.token) >= 40  # unguessable


def test_an_emailed_invitation_is_for_one_use_by_default(team):
    invitation = invitation_create(actor=team.owner, workspace=team.workspace, email=" New.Person@Example.COM ")
    assert (invitation.email, invitation.max_uses) == ("new.person@example.com", 1)


def test_tokens_differ_between_invitations(team):
    tokens = {invitation_create(actor=team.admin, workspace=team.workspace).token for _ in range(5)}
    assert len(tokens) == 5


@pytest.mark.parametrize("who", ["member", "guest"])
def test_only_admins_invite(team, who):
    with refused(ErrorCode.RESTRICTED_ACTION):
        invitation_create(actor=getattr(team, who), workspace=team.workspace)


def test_only_owners_invite_admins_and_nobody_invites_owners(team):
    with refused(ErrorCode.RESTRICTED_ACTION):
        invitation_create(actor=team.admin, workspace=team.workspace, role=Role.ADMIN)
    with refused(ErrorCode.RESTRICTED_ACTION):
        invitation_create(actor=team.owner, workspace=team.workspace, role=Role.OWNER)
    assert invitation_create(actor=team.owner, workspace=team.workspace, role=Role.ADMIN).role == Role.ADMIN


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"role": "superuser"}, ErrorCode.INVALID_ROLE),
        ({"email": "not-an-email"}, ErrorCode.INVALID_EMAIL),
        ({"max_uses": 0}, ErrorCode.INVALID_ARGUMENTS),
        ({"max_uses": "3"}, ErrorCode.INVALID_ARGUMENTS),
        ({"expires_in_days": 0}, ErrorCode.INVALID_ARGUMENTS),
        ({"expires_in_days": 366}, ErrorCode.INVALID_ARGUMENTS),
    ],
)
def test_bad_invitation_settings_are_refused(team, kwargs, code):
    with refused(code):
        invitation_create(actor=team.admin, workspace=team.workspace, **kwargs)


# --- accepting --------------------------------------------------------------------------------


def test_a_link_lets_several_people_in_as_members_of_general(team):
    link = invitation_create(actor=team.admin, workspace=team.workspace)
    newcomers = [UserFactory(), UserFactory()]
    for person in newcomers:
        membership = invitation_accept(user=person, token=link.token)
        assert (membership.workspace, membership.role, membership.is_active) == (team.workspace, Role.MEMBER, True)
        assert ChannelMember.objects.filter(channel=team.general, user=person).exists()
    assert _uses(link) == 2


def test_a_guest_invitation_makes_a_guest_who_is_in_no_channel(team):
    link = invitation_create(actor=team.admin, workspace=team.workspace, role=Role.GUEST)
    person = UserFactory()
    assert invitation_accept(user=person, token=link.token).role == Role.GUEST
    assert not ChannelMember.objects.filter(user=person).exists()


def test_an_emailed_invitation_is_accepted_by_its_addressee_whatever_the_case(team):
    invitation = invitation_create(actor=team.admin, workspace=team.workspace, email="Dana@Example.com")
    dana = UserFactory(email="dana@example.com")
    assert invitation_accept(user=dana, token=invitation.token).user == dana


def test_an_emailed_invitation_does_not_exist_for_anyone_else(team):
    invitation = invitation_create(actor=team.admin, workspace=team.workspace, email="dana@example.com")
    eve = UserFactory(email="eve@example.com")
    with refused(ErrorCode.INVITATION_NOT_FOUND):
        invitation_accept(user=eve, token=invitation.token)


@pytest.mark.parametrize("token", ["no-such-token", "", None, 12345])
def test_an_unknown_token_is_invitation_not_found(team, token):
    person = UserFactory()
    with refused(ErrorCode.INVITATION_NOT_FOUND):
        invitation_accept(user=person, token=token)


def test_an_expired_invitation_is_invitation_expired(team):
    link = invitation_create(actor=team.admin, workspace=team.workspace)
    Invitation.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    person = UserFactory()
    with refused(ErrorCode.INVITATION_EXPIRED):
        invitation_accept(user=person, token=link.token)


def test_a_revoked_invitation_no_longer_works(team):
    link = invitation_create(actor=team.admin, workspace=team.workspace)
    invitation_revoke(actor=team.owner, invitation=link)
    person = UserFactory()
    with refused(ErrorCode.INVITATION_EXPIRED):
        invitation_accept(user=person, token=link.token)


def test_an_invitation_used_as_often_as_it_allows_is_invitation_used_up(team):
    link = invitation_create(actor=team.admin, workspace=team.workspace, max_uses=2)
    invitation_accept(user=UserFactory(), token=link.token)
    invitation_accept(user=UserFactory(), token=link.token)
    third = UserFactory()
    with refused(ErrorCode.INVITATION_USED_UP):
        invitation_accept(user=third, token=link.token)
    assert _uses(link) == 2


def test_accepting_twice_returns_the_same_membership_without_using_the_invitation_again(team):
    invitation = invitation_create(actor=team.admin, workspace=team.workspace, email="dana@example.com")
    dana = UserFactory(email="dana@example.com")
    first = invitation_accept(user=dana, token=invitation.token)
    with nothing_written():
        second = invitation_accept(user=dana, token=invitation.token)
    assert second.pk == first.pk
    assert _uses(invitation) == 1


def test_a_member_following_a_link_keeps_their_membership_and_role(team):
    link = invitation_create(actor=team.owner, workspace=team.workspace, role=Role.GUEST)
    with nothing_written():
        membership = invitation_accept(user=team.admin, token=link.token)
    assert membership.role == Role.ADMIN


def test_a_deactivated_member_cannot_come_back_through_an_invitation(team):
    member_deactivate(actor=team.owner, workspace=team.workspace, user=team.member)
    link = invitation_create(actor=team.owner, workspace=team.workspace)
    with refused(ErrorCode.ACCOUNT_INACTIVE):
        invitation_accept(user=team.member, token=link.token)
    assert not Membership.objects.get(user=team.member, workspace=team.workspace).is_active


def test_a_deactivated_account_cannot_accept(team):
    link = invitation_create(actor=team.admin, workspace=team.workspace)
    person = UserFactory(is_active=False)
    with refused(ErrorCode.ACCOUNT_INACTIVE):
        invitation_accept(user=person, token=link.token)
