"""Unfurls: a link preview's image, served from this site, and removing an unfurl from your own message."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from chat.api.context import request_channel
from chat.api.views.files import BINARY_RESPONSE, AnyContentRenderer
from chat.selectors import message_get, message_get_for_wire
from chat.unfurls.models import PreviewImage
from chat.unfurls.services import unfurl_remove
from chat.wire import message_to_wire
from slackclone.api.schema import errors
from slackclone.api.views import ApiView, validated
from slackclone.errors import DomainError, ErrorCode

TAG = ["messages"]
IMAGE_CACHE_CONTROL = "private, max-age=86400"


class UnfurlRemoveSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2048, help_text="The link whose preview (or app unfurl) goes.")


class LinkPreviewImageView(ApiView):
    renderer_classes = [JSONRenderer, AnyContentRenderer]

    @extend_schema(
        tags=TAG,
        operation_id="link_preview_image",
        summary="A link preview's image, as the server fetched it (signed-in people only)",
        description="PNG, JPEG, GIF or WebP, sent with X-Content-Type-Options: nosniff and a sandboxing "
        "Content-Security-Policy; the linked site never sees who looks at it.",
        responses={**BINARY_RESPONSE, **errors()},
    )
    def get(self, request, key: str):
        image = PreviewImage.objects.filter(key=key).only("content_type", "data").first()
        if image is None:
            raise DomainError(ErrorCode.FILE_NOT_FOUND, "No such image.")
        response = HttpResponse(bytes(image.data), content_type=image.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = IMAGE_CACHE_CONTROL
        return response


class MessageUnfurlView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="messages_unfurl_remove",
        summary="Remove a link's preview (or an app's unfurl) from your own message",
        request=UnfurlRemoveSerializer,
        responses={200: None, **errors()},
    )
    def delete(self, request, channel_id: str, ts: str):
        channel = request_channel(request, channel_id)
        data = validated(UnfurlRemoveSerializer, request.data or request.query_params)
        unfurl_remove(actor=request.user, message=message_get(channel=channel, ts=ts), url=data["url"])
        return Response({"message": message_to_wire(message_get_for_wire(channel=channel, ts=ts))})
