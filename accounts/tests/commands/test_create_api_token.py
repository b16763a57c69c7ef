"""manage.py create_api_token EMAIL [--workspace SLUG] [--name LABEL]"""

from __future__ import annotations

import pytest

from accounts.models import ApiToken, hash_token
from accounts.tests.commands.support import refused, run
from slackclone.errors import ErrorCode
from slackclone.testing.factories import BotFactory, UserFactory, add_member, workspace_with_owner
from workspaces.services import member_deactivate
from workspaces.tokens import api_token_authenticate

pytestmark = pytest.mark.django_db


def test_prints_a_token_that_authenticates_and_stores_only_its_hash(team):
    lines = run("create_api_token", team.member.email, "--name", "ci")

    raw = lines[-1]
    assert " " not in raw
    assert raw.startswith("xoxp-")
    token = api_token_authenticate(raw)
    assert (token.user, token.workspace, token.name) == (team.member, team.workspace, "ci")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert stored["token_hash"] == hash_token(raw)
    assert raw not in [value for value in stored.values() if isinstance(value, str)]
    assert stored["prefix"] == raw[:12]


def test_bot_tokens_have_the_bot_prefix(team):
    bot = add_member(team.workspace, BotFactory(bot_workspace=team.workspace))
    raw = run("create_api_token", bot.email)[-1]
    assert raw.startswith("xoxb-")
    assert api_token_authenticate(raw).user == bot


def test_names_the_workspace_when_the_user_is_in_several(team):
    other = workspace_with_owner(team.member, slug="side-project")
    raw = run("create_api_token", team.member.email, "--workspace", "side-project")[-1]
    assert api_token_authenticate(raw).workspace == other


def test_refuses_to_guess_between_several_workspaces(team):
    workspace_with_owner(team.member, slug="side-project")
    message = refused("create_api_token", team.member.email, code=ErrorCode.INVALID_ARGUMENTS)
    assert team.workspace.slug in message
    assert "side-project" in message
    assert "--workspace" in message


def test_refuses_a_user_in_no_workspace():
    loner = UserFactory()
    refused("create_api_token", loner.email, code=ErrorCode.NOT_IN_WORKSPACE)


def test_refuses_a_workspace_the_user_is_not_in(team, outsider):
    refused("create_api_token", outsider.email, "--workspace", team.workspace.slug, code=ErrorCode.NOT_IN_WORKSPACE)


def test_refuses_a_deactivated_member(team):
    member_deactivate(actor=None, workspace=team.workspace, user=team.member)
    refused("create_api_token", team.member.email, "--workspace", team.workspace.slug, code=ErrorCode.ACCOUNT_INACTIVE)


def test_refuses_unknown_email_and_unknown_workspace(team):
    refused("create_api_token", "nobody@example.com", code=ErrorCode.USER_NOT_FOUND)
    refused("create_api_token", team.member.email, "--workspace", "no-such-team", code=ErrorCode.WORKSPACE_NOT_FOUND)
