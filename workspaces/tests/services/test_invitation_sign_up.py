"""invitation_sign_up: an emailed invitation's link makes the account (verified) or claims an import's one."""

from __future__ import annotations

import pytest

from accounts.models import User
from accounts.services import user_create
from chat.models import ChannelKind, ChannelMember
from slackclone.testing.assertions import refused
from slackclone.testing.factories import ChannelFactory, ChannelMemberFactory, MessageFactory
from workspaces.models import Invitation, Membership, Role
from workspaces.services import invitation_create, invitation_sign_up

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough passphrase"


def _imported_placeholder(team, email: str) -> User:
    """What the Slack import leaves for a new person: an inactive account with a membership and history."""
    user = user_create(email=email, full_name="From Slack", is_active=False)
    Membership.objects.create(user=user, workspace=team.workspace, role=Role.MEMBER)
    secret = ChannelFactory(workspace=team.workspace, kind=ChannelKind.PRIVATE, name="imported-secret")
    ChannelMemberFactory(channel=secret, user=user)
    MessageFactory(channel=secret, author=user, text="my imported words")
    return user


def test_the_emailed_link_makes_a_verified_account_and_joins(team):
    invitation = invitation_create(actor=team.owner, workspace=team.workspace, email="fresh@example.test")
    user = invitation_sign_up(token=invitation.token, password=PASSWORD, display_name="Fresh")
    assert (user.email, user.is_active, user.email_verified, user.display_name) == (
        "fresh@example.test",
        True,
        True,
        "Fresh",
    )
    assert Membership.objects.get(user=user, workspace=team.workspace).role == Role.MEMBER
    assert ChannelMember.objects.filter(user=user, channel=team.general).exists()
    assert Invitation.objects.get(pk=invitation.pk).uses == 1


def test_the_emailed_link_claims_the_imported_account_with_its_history(team):
    placeholder = _imported_placeholder(team, "imported@example.test")
    invitation = invitation_create(actor=None, workspace=team.workspace, email="imported@example.test")

    user = invitation_sign_up(token=invitation.token, password=PASSWORD, display_name="imp")

    assert user.pk == placeholder.pk
    user.refresh_from_db()
    assert (user.is_active, user.email_verified, user.full_name, user.display_name) == (True, True, "From Slack", "imp")
    assert user.check_password(PASSWORD)
    assert user.messages.filter(text="my imported words").exists()
    assert Membership.objects.filter(user=user, workspace=team.workspace).count() == 1


def test_the_link_does_not_take_over_an_account_of_its_own(team):
    invitation = invitation_create(actor=team.owner, workspace=team.workspace, email="taken@example.test")
    owner_of_address = user_create(email="taken@example.test", password=PASSWORD)
    with refused("email_taken"):
        invitation_sign_up(token=invitation.token, password="another long passphrase")
    owner_of_address.refresh_from_db()
    assert owner_of_address.check_password(PASSWORD)


def test_a_link_for_anyone_cannot_make_an_account_without_proof(team):
    link = invitation_create(actor=team.owner, workspace=team.workspace)
    with refused("invitation_not_found"):
        invitation_sign_up(token=link.token, password=PASSWORD)


@pytest.mark.parametrize("state", ["revoked", "used"])
def test_a_spent_or_revoked_link_claims_nothing(team, state):
    placeholder = _imported_placeholder(team, "late@example.test")
    invitation = invitation_create(actor=None, workspace=team.workspace, email="late@example.test")
    if state == "revoked":
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=invitation.created_at)
        code = "invitation_expired"
    else:
        Invitation.objects.filter(pk=invitation.pk).update(uses=1)
        code = "invitation_used_up"
    with refused(code):
        invitation_sign_up(token=invitation.token, password=PASSWORD)
    placeholder.refresh_from_db()
    assert not placeholder.is_active


def test_a_weak_password_claims_nothing(team):
    _imported_placeholder(team, "weak@example.test")
    invitation = invitation_create(actor=None, workspace=team.workspace, email="weak@example.test")
    with refused("invalid_password"):
        invitation_sign_up(token=invitation.token, password="123")
