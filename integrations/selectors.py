"""Reads for integrations: a workspace's bots and webhooks, and the live webhook a URL names."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When

from accounts.models import BotKind
from chat.models import ChannelKind, ChannelMember
from integrations.models import IncomingWebhook, hash_secret
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Membership
from workspaces.permissions import access_workspace_admin

if TYPE_CHECKING:
    from accounts.models import User
    from workspaces.models import Workspace


def with_channel_visibility(webhooks: QuerySet[IncomingWebhook], viewer: User | None) -> QuerySet[IncomingWebhook]:
    """Annotate `channel_visible`: whether `viewer` may see the webhook's channel (None: the operator, who may).

    A private channel the viewer is not in does not exist for them, admins included: lists show it
    as a private channel, without its id or name.
    """
    if viewer is None:
        return webhooks.annotate(channel_visible=Value(True))
    in_channel = ChannelMember.objects.filter(channel=OuterRef("channel"), user=viewer)
    visible = Q(channel__kind=ChannelKind.PUBLIC) | Q(Exists(in_channel))
    return webhooks.annotate(channel_visible=Case(When(visible, then=Value(True)), default=Value(False)))


def workspace_webhooks(*, actor: User | None, workspace: Workspace) -> QuerySet[IncomingWebhook]:
    """Every webhook of the workspace, live ones first, newest first, each with `channel_visible`
    (with_channel_visibility). Admins only (restricted_action)."""
    access_workspace_admin(actor, workspace)
    webhooks = (
        IncomingWebhook.objects.filter(workspace=workspace)
        .select_related("channel", "created_by", "workspace")
        .order_by("revoked_at", "-created_at")
    )
    return with_channel_visibility(webhooks, actor)


def webhook_get(*, actor: User | None, workspace: Workspace, public_id: str) -> IncomingWebhook:
    """One webhook of the workspace, for its admins. Raises restricted_action, not_found."""
    webhook = workspace_webhooks(actor=actor, workspace=workspace).filter(public_id=public_id).first()
    if webhook is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such webhook in this workspace.")
    return webhook


def webhook_for_url(*, team_id: str, hook_id: str, secret: str) -> IncomingWebhook | None:
    """The live webhook a URL names, or None (unknown, revoked, or the wrong secret: all look the same)."""
    webhook = (
        IncomingWebhook.objects.select_related("workspace", "channel__workspace", "bot")
        .filter(public_id=hook_id, workspace__public_id=team_id, revoked_at__isnull=True)
        .first()
    )
    if webhook is None or not hmac.compare_digest(webhook.secret_hash, hash_secret(secret or "")):
        return None
    return webhook


def workspace_bots(*, actor: User | None, workspace: Workspace) -> QuerySet[Membership]:
    """The workspace's own app bots (not webhooks' bots, nor Slackbot), active ones first. Admins only
    (restricted_action)."""
    access_workspace_admin(actor, workspace)
    return (
        Membership.objects.filter(workspace=workspace, user__bot_kind=BotKind.APP, user__bot_workspace=workspace)
        .select_related("user")
        .order_by("-is_active", "user__full_name", "pk")
    )
