"""Reads for integrations: a workspace's bots and webhooks, and the live webhook a URL names."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet

from integrations.models import IncomingWebhook, hash_secret
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Membership
from workspaces.permissions import access_workspace_admin

if TYPE_CHECKING:
    from accounts.models import User
    from workspaces.models import Workspace


def workspace_webhooks(*, actor: User | None, workspace: Workspace) -> QuerySet[IncomingWebhook]:
    """Every webhook of the workspace, live ones first, newest first. Admins only (restricted_action)."""
    access_workspace_admin(actor, workspace)
    return (
        IncomingWebhook.objects.filter(workspace=workspace)
        .select_related("channel", "created_by", "workspace")
        .order_by("revoked_at", "-created_at")
    )


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
    """The workspace's bot users (not those of webhooks), active ones first. Admins only (restricted_action)."""
    access_workspace_admin(actor, workspace)
    webhook_bot = IncomingWebhook.objects.filter(bot=OuterRef("user"))
    return (
        Membership.objects.filter(workspace=workspace, user__is_bot=True)
        .exclude(Exists(webhook_bot))
        .select_related("user")
        .order_by("-is_active", "user__full_name", "pk")
    )
