"""Bot users and incoming webhooks: creating them (workspace admins), and posting through a webhook.

Every post ends in chat.services.message_post, as the webhook's own bot user, so a webhook
message passes the same checks and sends the same events as any other. Failures raise
DomainError with a stable code, having written nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from accounts.models import BotKind
from accounts.services import user_create
from chat import services as chat_services
from chat.permissions import access_channel, check_named_channel, check_not_archived
from integrations.models import WEBHOOK_NAME_MAX_LENGTH, IncomingWebhook, hash_secret
from integrations.tokens import api_token_create
from slackclone.errors import DomainError, ErrorCode
from slackclone.ids import new_public_id
from workspaces.permissions import access_workspace_admin
from workspaces.services import member_add, member_deactivate

if TYPE_CHECKING:
    from accounts.models import User
    from chat.models import Channel, Message
    from workspaces.models import Workspace

LAST_USED_PRECISION_SECONDS = 60


@dataclass(frozen=True)
class WebhookPost:
    """What a webhook request asks for (integrations.payloads): Slack's message fields, not yet checked."""

    text: str
    username: str = ""
    icon_emoji: str = ""
    icon_url: str = ""
    thread_ts: str = ""
    blocks: Any = None
    attachments: Any = None
    unfurl_links: bool = True
    unfurl_media: bool = True


def _check_name(raw: str) -> str:
    name = " ".join(str(raw or "").split())
    if not name or len(name) > WEBHOOK_NAME_MAX_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_NAME,
            "A name is 1 to %(webhook_name_max_length)s characters.",
            fields={"name": "too_long" if name else "required"},
            params={"webhook_name_max_length": WEBHOOK_NAME_MAX_LENGTH},
        )
    return name


def _create_bot(workspace: Workspace, name: str, kind: BotKind) -> User:
    """A bot user owned by the workspace: a member no one can sign in as (it acts through tokens or a
    webhook). Its kind and owner decide who may hold a token for it (integrations.tokens.api_token_create)."""
    domain = "bots.invalid" if kind == BotKind.APP else "webhooks.invalid"
    bot = user_create(email=f"{new_public_id('').lower()}@{domain}", full_name=name, is_bot=True)
    bot.bot_kind, bot.bot_workspace = kind, workspace
    bot.save(update_fields=["bot_kind", "bot_workspace"])
    member_add(actor=None, workspace=workspace, user=bot)
    return bot


@transaction.atomic
def bot_create(
    *, actor: User | None, workspace: Workspace, name: str, scopes: Sequence[str] | None = None
) -> tuple[User, str]:
    """A bot user in the workspace and its first xoxb- token (returned raw, shown once).

    Its messages show as a bot's (bot_id, bot_profile), and through the Web API it may name and
    icon each one. An app's bot (slack_apps) has its token limited to the app's `scopes`.
    More tokens: integrations.tokens.api_token_create, by admins.
    Callers: workspace admins; the operator.
    Raises: restricted_action, invalid_name.
    Events: team_join, member_joined_channel (#general).
    """
    access_workspace_admin(actor, workspace)
    bot = _create_bot(workspace, _check_name(name), BotKind.APP)
    _token, raw = api_token_create(
        actor=actor, user=bot, workspace=workspace, name=f"{bot.name} bot token", scopes=scopes
    )
    return bot, raw


@transaction.atomic
def webhook_create(*, actor: User | None, channel: Channel, name: str) -> tuple[IncomingWebhook, str]:
    """An incoming webhook posting into `channel`; returns it and its URL secret, shown once.

    Its bot user joins the workspace and the channel (through member_add and channel_invite).
    Callers: workspace admins, for a channel they can see (a private one they are in); the operator.
    Raises: restricted_action, channel_not_found, method_not_supported_for_channel_type (DMs),
    is_archived, invalid_name.
    Events: team_join, member_joined_channel (those of member_add and channel_invite).
    """
    workspace = channel.workspace
    access_workspace_admin(actor, workspace)
    access_channel(actor, channel)
    check_named_channel(channel, "add a webhook to")
    check_not_archived(channel)
    name = _check_name(name)
    bot = _create_bot(workspace, name, BotKind.WEBHOOK)
    if not channel.memberships.filter(user=bot).exists():
        chat_services.channel_invite(actor=None, channel=channel, users=[bot])
    secret = secrets.token_urlsafe(24)
    webhook = IncomingWebhook.objects.create(
        workspace=workspace, channel=channel, bot=bot, name=name, secret_hash=hash_secret(secret), created_by=actor
    )
    return webhook, secret


@transaction.atomic
def webhook_revoke(*, actor: User | None, webhook: IncomingWebhook) -> IncomingWebhook:
    """Stop a webhook at once; its URL answers 404 no_service. Its messages stay, by its bot user,
    whose membership is deactivated.

    Callers: workspace admins; the operator.
    Raises: restricted_action.
    Events: user_change (the bot's deactivation).
    """
    access_workspace_admin(actor, webhook.workspace)
    if webhook.revoked_at is None:
        webhook.revoked_at = timezone.now()
        webhook.save(update_fields=["revoked_at"])
        member_deactivate(actor=None, workspace=webhook.workspace, user=webhook.bot)
    return webhook


def webhook_post(*, webhook: IncomingWebhook, post: WebhookPost) -> Message:
    """Post into the webhook's channel as its bot, under `post.username` (else the webhook's name).

    Callers: the webhook endpoint, for a live webhook whose secret matched.
    Raises: what message_post raises (no_text, msg_too_long, invalid_blocks, invalid_attachments,
    channel_not_found, not_in_channel, is_archived, thread_not_found, invalid_emoji, invalid_arguments,
    account_inactive).
    Events: message (message_post's).
    """
    message = chat_services.message_post(
        sender=webhook.bot,
        channel=webhook.channel,
        text=post.text,
        blocks=post.blocks,
        legacy_attachments=post.attachments,
        thread_ts=post.thread_ts or None,
        username=post.username or webhook.name,
        icon_emoji=post.icon_emoji,
        icon_url=post.icon_url,
        unfurl_links=post.unfurl_links,
        unfurl_media=post.unfurl_media,
    )
    now = timezone.now()
    if webhook.last_used_at is None or (now - webhook.last_used_at).total_seconds() > LAST_USED_PRECISION_SECONDS:
        IncomingWebhook.objects.filter(pk=webhook.pk).update(last_used_at=now)
    return message
