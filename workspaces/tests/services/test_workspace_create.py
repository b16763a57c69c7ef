"""workspace_create: the owner, #general and #random, and the rules for addresses."""

import re

import pytest

from chat.models import Channel, ChannelKind, ChannelMember
from slackclone.errors import ErrorCode
from slackclone.ids import ALPHABET
from slackclone.testing.assertions import refused
from slackclone.testing.factories import UserFactory
from workspaces.models import Membership, Role
from workspaces.services import workspace_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def creator():
    return UserFactory()


def test_creator_becomes_the_owner_of_a_workspace_with_general_and_random(creator):
    workspace = workspace_create(creator=creator, name="  Acme Corp ", slug="acme")
    assert re.fullmatch(rf"T[{ALPHABET}]{{10}}", workspace.public_id)
    assert (workspace.name, workspace.slug, workspace.created_by) == ("Acme Corp", "acme", creator)
    membership = Membership.objects.get(workspace=workspace)
    assert (membership.user, membership.role, membership.is_active) == (creator, Role.OWNER, True)
    channels = {c.name: c for c in Channel.objects.filter(workspace=workspace)}
    assert set(channels) == {"general", "random"}
    assert channels["general"].is_general
    assert not channels["random"].is_general
    assert {c.kind for c in channels.values()} == {ChannelKind.PUBLIC}
    for channel in channels.values():
        assert list(ChannelMember.objects.filter(channel=channel).values_list("user_id", flat=True)) == [creator.pk]


@pytest.mark.parametrize(("raw", "slug"), [("Acme-Corp", "acme-corp"), (" acme2 ", "acme2"), ("a" * 50, "a" * 50)])
def test_addresses_are_lowercased_and_trimmed(creator, raw, slug):
    assert workspace_create(creator=creator, name="Acme", slug=raw).slug == slug


@pytest.mark.parametrize("slug", ["", "-acme", "acme-", "ac me", "acme_corp", "acme.io", "a" * 51, "café"])
def test_addresses_breaking_the_rules_are_invalid_name(creator, slug):
    with refused(ErrorCode.INVALID_NAME) as info:
        workspace_create(creator=creator, name="Acme", slug=slug)
    assert info.value.fields == {"slug": "invalid"}


@pytest.mark.parametrize("slug", ["admin", "api", "static", "ws", "Accounts"])
def test_reserved_addresses_are_invalid_name(creator, slug):
    with refused(ErrorCode.INVALID_NAME) as info:
        workspace_create(creator=creator, name="Acme", slug=slug)
    assert info.value.fields == {"slug": "reserved"}


def test_an_address_in_use_is_name_taken_regardless_of_case(creator):
    workspace_create(creator=creator, name="Acme", slug="acme")
    someone_else = UserFactory()
    with refused(ErrorCode.NAME_TAKEN):
        workspace_create(creator=someone_else, name="Other Acme", slug="ACME")


@pytest.mark.parametrize("name", ["", "   ", "n" * 81])
def test_a_name_that_is_empty_or_too_long_is_invalid_name(creator, name):
    with refused(ErrorCode.INVALID_NAME):
        workspace_create(creator=creator, name=name, slug="acme")


def test_a_deactivated_account_cannot_create_workspaces(creator):
    creator.is_active = False
    creator.save(update_fields=["is_active"])
    with refused(ErrorCode.ACCOUNT_INACTIVE):
        workspace_create(creator=creator, name="Acme", slug="acme")


def test_one_person_can_own_several_workspaces(creator):
    first = workspace_create(creator=creator, name="One", slug="one")
    second = workspace_create(creator=creator, name="Two", slug="two")
    assert set(creator.memberships.values_list("workspace_id", flat=True)) == {first.pk, second.pk}
