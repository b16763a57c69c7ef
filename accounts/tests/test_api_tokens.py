"""API tokens: shown once, stored as a hash, acting as one user in one workspace, revocable."""

import hashlib

import pytest

from accounts.models import ApiToken
from integrations.tokens import api_token_create
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused
from slackclone.testing.factories import BotFactory, add_member
from workspaces.tokens import api_token_authenticate, api_token_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def bot(team):
    return add_member(team.workspace, BotFactory(bot_workspace=team.workspace))


def test_a_person_creates_a_token_that_is_stored_only_as_a_hash(team):
    token, raw = api_token_create(actor=team.member, user=team.member, workspace=team.workspace, name="laptop")
    assert raw.startswith("xoxp-")
    assert len(raw) > 40
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert row["token_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in [value for value in row.values() if isinstance(value, str)]
    assert (row["prefix"], row["name"]) == (raw[:12], "laptop")


def test_an_admin_creates_a_bot_token_with_the_bot_prefix(team, bot):
    token, raw = api_token_create(actor=team.admin, user=bot, workspace=team.workspace)
    assert raw.startswith("xoxb-")
    assert (token.user, token.created_by) == (bot, team.admin)


def test_admins_cannot_create_tokens_for_people(team):
    with refused(ErrorCode.RESTRICTED_ACTION):
        api_token_create(actor=team.admin, user=team.member, workspace=team.workspace)


def test_members_cannot_create_tokens_for_anyone_else(team, bot):
    with refused(ErrorCode.RESTRICTED_ACTION):
        api_token_create(actor=team.member, user=bot, workspace=team.workspace)


def test_no_token_for_a_workspace_the_user_is_not_in(team, outsider):
    with refused(ErrorCode.WORKSPACE_NOT_FOUND):
        api_token_create(actor=outsider, user=outsider, workspace=team.workspace)


def test_a_token_authenticates_as_its_user_in_its_workspace_and_records_its_use(team):
    token, raw = api_token_create(actor=team.member, user=team.member, workspace=team.workspace)
    found = api_token_authenticate(raw)
    assert (found.pk, found.user, found.workspace) == (token.pk, team.member, team.workspace)
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


@pytest.mark.parametrize("raw", ["", "xoxp-not-a-real-token", None, 42])
def test_an_unknown_token_is_invalid_auth(team, raw):
    with refused(ErrorCode.INVALID_AUTH):
        api_token_authenticate(raw)


def test_a_revoked_token_is_invalid_auth(team):
    token, raw = api_token_create(actor=team.member, user=team.member, workspace=team.workspace)
    api_token_revoke(actor=team.member, token=token)
    with refused(ErrorCode.INVALID_AUTH):
        api_token_authenticate(raw)


def test_only_its_user_or_a_workspace_admin_revokes_a_token(team):
    token, _ = api_token_create(actor=team.member, user=team.member, workspace=team.workspace)
    with refused(ErrorCode.RESTRICTED_ACTION):
        api_token_revoke(actor=team.other_member, token=token)
    api_token_revoke(actor=team.admin, token=token)
    assert ApiToken.objects.get(pk=token.pk).is_revoked


def test_a_deactivated_account_cannot_use_its_token(team):
    _, raw = api_token_create(actor=team.member, user=team.member, workspace=team.workspace)
    team.member.is_active = False
    team.member.save(update_fields=["is_active"])
    with refused(ErrorCode.ACCOUNT_INACTIVE):
        api_token_authenticate(raw)
