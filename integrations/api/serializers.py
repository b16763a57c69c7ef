"""Request and response shapes of the integrations API."""

from __future__ import annotations

from rest_framework import serializers

from chat.api.serializers import UserSerializer
from integrations.models import WEBHOOK_NAME_MAX_LENGTH


class WebhookSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Public webhook id (B…), the middle of its URL.")
    name = serializers.CharField()
    channel = serializers.CharField(
        allow_null=True, help_text="The channel it posts to (C…/G…); null for a private channel you are not in."
    )
    channel_is_private = serializers.BooleanField()
    bot_user = serializers.CharField(help_text="The bot user (U…) its messages are posted as.")
    created = serializers.IntegerField()
    created_by = serializers.CharField(allow_null=True)
    last_used = serializers.IntegerField(allow_null=True)
    revoked = serializers.IntegerField(allow_null=True)


class WebhookCreatedSerializer(WebhookSerializer):
    url = serializers.CharField(help_text="The secret URL to POST to. Shown only in this answer.")


class WebhookOutSerializer(serializers.Serializer):
    webhook = WebhookCreatedSerializer()


class WebhookListSerializer(serializers.Serializer):
    webhooks = WebhookSerializer(many=True)


class WebhookCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=WEBHOOK_NAME_MAX_LENGTH)
    channel = serializers.CharField(help_text="Public channel id (C…/G…) to post to.")


class BotSerializer(serializers.Serializer):
    user = UserSerializer()
    is_active = serializers.BooleanField()
    joined = serializers.IntegerField()


class BotListSerializer(serializers.Serializer):
    bots = BotSerializer(many=True)


class BotCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=WEBHOOK_NAME_MAX_LENGTH)


class BotCreatedSerializer(serializers.Serializer):
    bot = BotSerializer()
    token = serializers.CharField(help_text="The bot's xoxb- token. Shown only in this answer.")
