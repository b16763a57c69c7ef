"""Creating and revoking incoming webhooks: who may, and what each leaves behind."""

from __future__ import annotations

import pytest

from chat.models import ChannelMember
from chat.services import channel_create, dm_open
from integrations.models import IncomingWebhook, hash_secret
from integrations.selectors import webhook_for_url, workspace_webhooks
from integrations.services import webhook_create, webhook_revoke
from slackclone.testing.assertions import refused
from workspaces.models import Membership

pytestmark = pytest.mark.django_db


def test_admin_creates_a_webhook_whose_bot_joins_the_channel(team):
    channel = channel_create(actor=team.admin, workspace=team.workspace, name="deploys")
    webhook, secret = webhook_create(actor=team.admin, channel=channel, name="  CI   bot ")
    assert webhook.name == "CI bot"
    assert webhook.public_id.startswith("B")
    assert webhook.bot.is_bot
    assert not webhook.bot.has_usable_password()
    assert ChannelMember.objects.filter(channel=channel, user=webhook.bot).exists()
    assert webhook.secret_hash == hash_secret(secret)
    assert secret not in webhook.secret_hash
    assert webhook.url_path(secret) == f"/hooks/{team.workspace.public_id}/{webhook.public_id}/{secret}"
    assert webhook_for_url(team_id=team.workspace.public_id, hook_id=webhook.public_id, secret=secret) == webhook
    assert webhook_for_url(team_id=team.workspace.public_id, hook_id=webhook.public_id, secret="nope") is None


def test_members_cannot_create_or_list_webhooks(team):
    with refused("restricted_action"):
        webhook_create(actor=team.member, channel=team.general, name="Sneaky")
    with pytest.raises(Exception, match="owners and admins"):
        list(workspace_webhooks(actor=team.member, workspace=team.workspace))


def test_a_private_channel_the_admin_is_not_in_does_not_exist_for_them(team):
    private = channel_create(actor=team.member, workspace=team.workspace, name="hush", is_private=True)
    with refused("channel_not_found"):
        webhook_create(actor=team.admin, channel=private, name="Hush")


def test_dms_and_bad_names_are_refused(team):
    dm, _ = dm_open(actor=team.admin, workspace=team.workspace, users=[team.member])
    with refused("method_not_supported_for_channel_type"):
        webhook_create(actor=team.admin, channel=dm, name="DM hook")
    with refused("invalid_name"):
        webhook_create(actor=team.admin, channel=team.general, name="   ")
    with refused("invalid_name"):
        webhook_create(actor=team.admin, channel=team.general, name="x" * 81)


def test_revoking_stops_the_url_and_deactivates_the_bot(team):
    webhook, secret = webhook_create(actor=team.admin, channel=team.general, name="Old")
    with refused("restricted_action"):
        webhook_revoke(actor=team.member, webhook=webhook)
    webhook_revoke(actor=team.owner, webhook=webhook)
    webhook_revoke(actor=team.owner, webhook=webhook)  # twice is fine
    assert IncomingWebhook.objects.get(pk=webhook.pk).is_revoked
    assert not Membership.objects.get(user=webhook.bot, workspace=team.workspace).is_active
    assert webhook_for_url(team_id=team.workspace.public_id, hook_id=webhook.public_id, secret=secret) is None
