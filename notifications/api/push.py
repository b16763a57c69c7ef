"""Desktop notifications by Web Push over the REST API: the server's VAPID key, and my devices' subscriptions
(notifications.services.push). A subscription is a person's own; anyone else's does not exist for them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from notifications import selectors, services
from notifications.models import PushSubscription
from notifications.webpush import vapid_public_key
from slackclone.api.schema import errors, ok_response
from slackclone.api.views import ApiView, validated

TAG = ["desktop notifications"]


class VapidKeySerializer(serializers.Serializer):
    public_key = serializers.CharField(
        allow_null=True, help_text="applicationServerKey for PushManager.subscribe (base64url); null: push is off."
    )


class KeysSerializer(serializers.Serializer):
    p256dh = serializers.CharField(max_length=200, trim_whitespace=False)
    auth = serializers.CharField(max_length=100, trim_whitespace=False)


class SubscribeSerializer(serializers.Serializer):
    endpoint = serializers.CharField(max_length=4096, trim_whitespace=False, help_text="PushSubscription.endpoint")
    keys = KeysSerializer()
    device = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text="A label; the browser's user agent if absent."
    )


class EnabledSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(help_text="Desktop notifications on this device.")


class SubscriptionSerializer(serializers.Serializer):
    id = serializers.CharField()
    endpoint = serializers.CharField()
    device = serializers.CharField()
    enabled = serializers.BooleanField()
    created = serializers.IntegerField()
    last_success = serializers.IntegerField(allow_null=True)


class SubscriptionOutSerializer(serializers.Serializer):
    subscription = SubscriptionSerializer()


class SubscriptionListSerializer(serializers.Serializer):
    subscriptions = SubscriptionSerializer(many=True)


def subscription_out(row: PushSubscription) -> dict:
    return {
        "id": row.public_id,
        "endpoint": row.endpoint,
        "device": row.device,
        "enabled": row.enabled,
        "created": int(row.created_at.timestamp()),
        "last_success": int(row.last_success_at.timestamp()) if row.last_success_at else None,
    }


class VapidKeyView(ApiView):
    @extend_schema(tags=TAG, operation_id="push_vapid_key", summary="The server's VAPID public key",
                   responses={200: VapidKeySerializer, **errors()})  # fmt: skip
    def get(self, request):
        return Response({"public_key": vapid_public_key()})


class SubscriptionsView(ApiView):
    @extend_schema(tags=TAG, operation_id="push_subscriptions_list", summary="My devices' push subscriptions",
                   responses={200: SubscriptionListSerializer, **errors()})  # fmt: skip
    def get(self, request):
        rows = selectors.push_subscriptions(user=request.user)
        return Response({"subscriptions": [subscription_out(row) for row in rows]})

    @extend_schema(
        tags=TAG,
        operation_id="push_subscribe",
        summary="Subscribe this device (or renew its subscription, switched on)",
        description="The endpoint must be https and reach a public address; the keys a P-256 point and 16 bytes.",
        request=SubscribeSerializer,
        responses={201: SubscriptionOutSerializer, **errors()},
    )
    def post(self, request):
        data = validated(SubscribeSerializer, request.data)
        device = data.get("device") or request.META.get("HTTP_USER_AGENT", "")
        row = services.push_subscribe(
            actor=request.user,
            endpoint=data["endpoint"],
            p256dh=data["keys"]["p256dh"],
            auth=data["keys"]["auth"],
            device=device,
        )
        return Response({"subscription": subscription_out(row)}, status=status.HTTP_201_CREATED)


class SubscriptionView(ApiView):
    @extend_schema(tags=TAG, operation_id="push_subscription_set_enabled",
                   summary="Desktop notifications on this device: on or off", request=EnabledSerializer,
                   responses={200: SubscriptionOutSerializer, **errors()})  # fmt: skip
    def patch(self, request, subscription_id: str):
        data = validated(EnabledSerializer, request.data)
        row = services.push_set_enabled(actor=request.user, public_id=subscription_id, enabled=data["enabled"])
        return Response({"subscription": subscription_out(row)})

    @extend_schema(tags=TAG, operation_id="push_unsubscribe", summary="Forget this device's subscription",
                   responses={200: ok_response("Removed."), **errors()})  # fmt: skip
    def delete(self, request, subscription_id: str):
        services.push_unsubscribe(actor=request.user, public_id=subscription_id)
        return Response({"ok": True})
