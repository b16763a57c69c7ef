"""Bot tokens: only for the workspace's own app bots, never reaching further than their minter can see,
and gone when the admin who minted them stops being one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import ApiToken, BotKind
from chat.services import channel_create, channel_invite, dm_open
from integrations.services import bot_create, webhook_create
from integrations.tokens import api_token_create
from notifications.services import reminder_create, reminder_deliver
from notifications.services.reminders import slackbot
from realtime import transport
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused
from slackclone.testing.factories import UserFactory, add_member, workspace_with_owner
from workspaces.models import Role
from workspaces.services import member_add, member_change_role, member_deactivate
from workspaces.tokens import api_token_authenticate

pytestmark = pytest.mark.django_db

NOON = datetime(2031, 5, 14, 12, 0, tzinfo=UTC)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _delivered_reminder_bot(team):
    reminder = reminder_create(actor=team.member, workspace=team.workspace, text="x", when="in 1 minute", now=NOON)
    reminder_deliver(reminder_id=reminder.pk, now=NOON + timedelta(minutes=1))
    return slackbot(team.workspace)


def test_bot_create_records_the_owning_workspace_and_the_kind(team):
    bot, _ = bot_create(actor=team.admin, workspace=team.workspace, name="Standup")
    bot.refresh_from_db()
    assert (bot.bot_kind, bot.bot_workspace) == (BotKind.APP, team.workspace)


@pytest.mark.parametrize("actor", ["admin", "owner", None])
def test_no_token_for_the_reminder_bot(team, actor):
    bot = _delivered_reminder_bot(team)
    assert bot.bot_kind == BotKind.SYSTEM
    with refused(ErrorCode.BOT_TOKEN_NOT_ALLOWED):
        api_token_create(actor=getattr(team, actor) if actor else None, user=bot, workspace=team.workspace)


@pytest.mark.parametrize("actor", ["admin", None])
def test_no_token_for_a_webhook_bot(team, actor):
    webhook, _ = webhook_create(actor=team.admin, channel=team.general, name="Deploys")
    assert webhook.bot.bot_kind == BotKind.WEBHOOK
    with refused(ErrorCode.BOT_TOKEN_NOT_ALLOWED):
        api_token_create(actor=getattr(team, actor) if actor else None, user=webhook.bot, workspace=team.workspace)


def test_no_token_for_another_workspaces_bot_even_once_it_is_a_member_here(team, outsider):
    elsewhere = outsider.memberships.get().workspace
    bot, _ = bot_create(actor=outsider, workspace=elsewhere, name="Theirs")
    member_add(actor=None, workspace=team.workspace, user=bot)
    with refused(ErrorCode.BOT_TOKEN_NOT_ALLOWED):
        api_token_create(actor=team.admin, user=bot, workspace=team.workspace)


def test_admins_get_no_token_for_a_bot_of_unknown_origin_but_the_operator_does(team):
    bot = add_member(team.workspace, UserFactory(email="made-in-the-console@example.test", is_bot=True))
    with refused(ErrorCode.BOT_TOKEN_NOT_ALLOWED):
        api_token_create(actor=team.owner, user=bot, workspace=team.workspace)
    _, raw = api_token_create(actor=None, user=bot, workspace=team.workspace)
    assert raw.startswith("xoxb-")


def test_the_admin_of_another_workspace_cannot_mint_a_token_for_this_workspaces_bot(team, outsider):
    bot, _ = bot_create(actor=team.admin, workspace=team.workspace, name="Ours")
    elsewhere = outsider.memberships.get().workspace
    with refused(ErrorCode.WORKSPACE_NOT_FOUND):
        api_token_create(actor=outsider, user=bot, workspace=team.workspace)
    with refused(ErrorCode.WORKSPACE_NOT_FOUND):
        api_token_create(actor=outsider, user=bot, workspace=elsewhere)


@pytest.mark.parametrize("who", ["member", "guest"])
def test_members_and_guests_cannot_mint_bot_tokens(team, who):
    bot, _ = bot_create(actor=team.admin, workspace=team.workspace, name="Ours")
    with refused(ErrorCode.RESTRICTED_ACTION):
        api_token_create(actor=getattr(team, who), user=bot, workspace=team.workspace)


def test_an_admin_cannot_mint_a_token_for_a_bot_in_a_private_conversation_they_are_not_in(team):
    bot, _ = bot_create(actor=team.admin, workspace=team.workspace, name="Ours")
    private = channel_create(actor=team.owner, workspace=team.workspace, name="board", is_private=True)
    channel_invite(actor=team.owner, channel=private, users=[bot])

    with refused(ErrorCode.BOT_TOKEN_NOT_ALLOWED):
        api_token_create(actor=team.admin, user=bot, workspace=team.workspace)
    token, _ = api_token_create(actor=team.owner, user=bot, workspace=team.workspace)
    assert token.created_by == team.owner


def test_an_admin_cannot_mint_a_token_for_a_bot_someone_else_talks_to_directly(team):
    bot, _ = bot_create(actor=team.admin, workspace=team.workspace, name="Ours")
    dm_open(actor=team.member, workspace=team.workspace, users=[bot])

    with refused(ErrorCode.BOT_TOKEN_NOT_ALLOWED):
        api_token_create(actor=team.owner, user=bot, workspace=team.workspace)


# --- Ending access ------------------------------------------------------------------------------


def _live(token: ApiToken) -> bool:
    token.refresh_from_db()
    return token.revoked_at is None


@pytest.mark.parametrize("new_role", [Role.MEMBER, Role.GUEST])
def test_demoting_an_admin_revokes_the_bot_tokens_they_minted_and_closes_their_sockets(
    team, layer_listener, committed, new_role
):
    bot, raw = bot_create(actor=team.admin, workspace=team.workspace, name="Ours")
    first = ApiToken.objects.get(user=bot)
    by_owner, _ = api_token_create(actor=team.owner, user=bot, workspace=team.workspace)
    own, _ = api_token_create(actor=team.admin, user=team.admin, workspace=team.workspace)
    bot_sockets = layer_listener(transport.user_group(bot))

    with committed():
        member_change_role(actor=team.owner, workspace=team.workspace, user=team.admin, role=new_role)

    assert not _live(first)
    assert (_live(by_owner), _live(own)) == (True, True)
    with refused(ErrorCode.INVALID_AUTH):
        api_token_authenticate(raw)
    closed = bot_sockets.receive_until(lambda m: m["type"] == "chat.close")[-1]
    assert (closed["code"], closed["reason"], closed["token"]) == (4401, "token_revoked", first.pk)


def test_a_change_between_admin_roles_keeps_the_tokens(team):
    bot_create(actor=team.admin, workspace=team.workspace, name="Ours")
    member_change_role(actor=team.owner, workspace=team.workspace, user=team.admin, role=Role.OWNER)
    assert ApiToken.objects.get(created_by=team.admin).revoked_at is None


def test_deactivating_an_admin_revokes_the_bot_tokens_they_minted_in_that_workspace_only(team, outsider):
    bot, _ = bot_create(actor=team.admin, workspace=team.workspace, name="Ours")
    elsewhere = workspace_with_owner(team.admin)
    other_bot, _ = bot_create(actor=team.admin, workspace=elsewhere, name="Elsewhere")

    member_deactivate(actor=team.owner, workspace=team.workspace, user=team.admin)

    assert ApiToken.objects.get(user=bot).revoked_at is not None
    assert ApiToken.objects.get(user=other_bot).revoked_at is None


def test_the_migration_classifies_existing_bots_and_revokes_tokens_no_one_should_hold(team):
    import importlib

    from django.apps import apps

    from accounts.models import User
    from slackclone.testing.factories import ApiTokenFactory

    migration = importlib.import_module("accounts.migrations.0007_user_bot_kind")
    app_bot = add_member(team.workspace, User.objects.create(email="b1@bots.invalid", is_bot=True))
    hook_bot = add_member(team.workspace, User.objects.create(email="b2@webhooks.invalid", is_bot=True))
    system = add_member(team.workspace, User.objects.create(email="slackbot@slackclone.invalid", is_bot=True))
    tokens = {bot: ApiTokenFactory(user=bot, workspace=team.workspace) for bot in (app_bot, hook_bot, system)}

    migration.classify_bots(apps, None)

    for bot, kind, workspace, live in [
        (app_bot, BotKind.APP, team.workspace, True),
        (hook_bot, BotKind.WEBHOOK, team.workspace, False),
        (system, BotKind.SYSTEM, None, False),
    ]:
        bot.refresh_from_db()
        assert (bot.bot_kind, bot.bot_workspace) == (kind, workspace)
        assert _live(tokens[bot]) is live


def test_deactivating_the_account_revokes_every_bot_token_it_minted(team):
    bot, _ = bot_create(actor=team.admin, workspace=team.workspace, name="Ours")
    elsewhere = workspace_with_owner(team.admin)
    other_bot, _ = bot_create(actor=team.admin, workspace=elsewhere, name="Elsewhere")
    own, _ = api_token_create(actor=team.owner, user=bot, workspace=team.workspace)

    team.admin.is_active = False
    team.admin.save()  # the Django admin's "active" box, or any other surface

    assert ApiToken.objects.get(user=bot, created_by=team.admin).revoked_at is not None
    assert ApiToken.objects.get(user=other_bot).revoked_at is not None
    assert _live(own)
