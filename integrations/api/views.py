"""Bots and incoming webhooks over the REST API (workspace admins): list and create (a bot's token and a
webhook's URL are answered once); revoke webhooks."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.wire import user_to_wire
from chat.api.context import request_channel
from integrations import selectors, services
from integrations.api import serializers as s
from integrations.models import IncomingWebhook
from slackclone.api.schema import errors, ok_response
from slackclone.api.views import ApiView, validated
from slackclone.errors import DomainError, ErrorCode
from workspaces.api.context import request_workspace
from workspaces.models import Membership

TAG = ["integrations"]


def _stamp(value) -> int | None:
    return int(value.timestamp()) if value else None


def webhook_out(webhook: IncomingWebhook) -> dict[str, Any]:
    """A webhook as listed; a private channel the reader is not in appears without its id (selectors'
    `channel_visible`)."""
    visible = getattr(webhook, "channel_visible", True)
    return {
        "id": webhook.public_id,
        "name": webhook.name,
        "channel": webhook.channel.public_id if visible else None,
        "channel_is_private": webhook.channel.is_private,
        "bot_user": webhook.bot.public_id,
        "created": int(webhook.created_at.timestamp()),
        "created_by": webhook.created_by.public_id if webhook.created_by else None,
        "last_used": _stamp(webhook.last_used_at),
        "revoked": _stamp(webhook.revoked_at),
    }


class WebhookCollectionView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="webhooks_list",
        summary="The workspace's incoming webhooks, live ones first (admins)",
        responses={200: s.WebhookListSerializer, **errors()},
    )
    def get(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        webhooks = selectors.workspace_webhooks(actor=request.user, workspace=workspace).select_related("bot")
        return Response({"webhooks": [webhook_out(webhook) for webhook in webhooks]})

    @extend_schema(
        tags=TAG,
        operation_id="webhooks_create",
        summary="Create an incoming webhook posting into a channel (admins); its URL is in this answer only",
        request=s.WebhookCreateSerializer,
        responses={201: s.WebhookOutSerializer, **errors(400)},
    )
    def post(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        data = validated(s.WebhookCreateSerializer, request.data)
        channel = request_channel(request, data["channel"])
        if channel.workspace_id != workspace.pk:
            raise DomainError(ErrorCode.CHANNEL_NOT_FOUND, "Channel not found.")
        webhook, secret = services.webhook_create(actor=request.user, channel=channel, name=data["name"])
        body = {**webhook_out(webhook), "url": request.build_absolute_uri(webhook.url_path(secret))}
        return Response({"webhook": body}, status=status.HTTP_201_CREATED)


class WebhookDetailView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="webhooks_revoke",
        summary="Revoke an incoming webhook (admins); its messages stay",
        request=None,
        responses={200: ok_response("The webhook's URL no longer works."), **errors()},
    )
    def delete(self, request, workspace_id: str, webhook_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        webhook = selectors.webhook_get(actor=request.user, workspace=workspace, public_id=webhook_id)
        services.webhook_revoke(actor=request.user, webhook=webhook)
        return Response({"ok": True})


def bot_out(membership: Membership) -> dict[str, Any]:
    return {
        "user": user_to_wire(membership.user),  # no address: a bot's is made up
        "is_active": membership.is_active and membership.user.is_active,
        "joined": int(membership.joined_at.timestamp()),
    }


class BotCollectionView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="bots_list",
        summary="The workspace's bot users (admins)",
        responses={200: s.BotListSerializer, **errors()},
    )
    def get(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        bots = selectors.workspace_bots(actor=request.user, workspace=workspace)
        return Response({"bots": [bot_out(membership) for membership in bots]})

    @extend_schema(
        tags=TAG,
        operation_id="bots_create",
        summary="Create a bot user and its first xoxb- token (admins); the token is in this answer only",
        request=s.BotCreateSerializer,
        responses={201: s.BotCreatedSerializer, **errors(400)},
    )
    def post(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        data = validated(s.BotCreateSerializer, request.data)
        bot, token = services.bot_create(actor=request.user, workspace=workspace, name=data["name"])
        membership = Membership.objects.select_related("user").get(user=bot, workspace=workspace)
        return Response({"bot": bot_out(membership), "token": token}, status=status.HTTP_201_CREATED)
