"""A workspace's custom emoji: list, add (an image, or an alias), remove, and their images."""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from chat import services
from chat.api import serializers as s
from chat.api.views.files import BINARY_RESPONSE, AnyContentRenderer
from chat.permissions import can_add_emoji, can_remove_emoji
from chat.selectors import custom_emoji, emoji_image_get
from chat.wire import emoji_to_wire
from slackclone.api.schema import errors
from slackclone.api.views import ApiView, validated
from workspaces.api.context import request_workspace

TAG = ["emoji"]
# An image's URL carries its file's random name, so a changed emoji is a new URL: browsers keep each for good.
IMAGE_CACHE_CONTROL = "private, max-age=31536000, immutable"


def _emoji_out(emoji, workspace, membership) -> dict:
    wire = emoji_to_wire(emoji, workspace_id=workspace.public_id, can_remove=can_remove_emoji(membership, emoji))
    return {"emoji": wire}


class EmojiCollectionView(ApiView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAG,
        operation_id="emoji_list",
        summary="The workspace's custom emoji and aliases, by name",
        responses={200: s.CustomEmojiListSerializer, **errors()},
    )
    def get(self, request, workspace_id: str):
        workspace, membership = request_workspace(request, workspace_id)
        can_add = can_add_emoji(membership, workspace)
        emoji = [
            emoji_to_wire(item, workspace_id=workspace.public_id, can_remove=can_remove_emoji(membership, item))
            for item in custom_emoji(workspace=workspace)
        ]
        return Response({"emoji": emoji, "can_add": can_add, "add_policy": workspace.emoji_add_policy})

    @extend_schema(
        tags=TAG,
        operation_id="emoji_add",
        summary="Add a custom emoji from an image",
        description="multipart/form-data. The image is scaled to fit 128×128 (an animated GIF stays animated) "
        "and re-encoded. The name may not be taken, nor a standard emoji's.",
        request={"multipart/form-data": s.EmojiAddSerializer},
        responses={201: s.CustomEmojiOutSerializer, **errors(409, 413)},
    )
    def post(self, request, workspace_id: str):
        workspace, membership = request_workspace(request, workspace_id)
        data = validated(s.EmojiAddSerializer, request.data)
        emoji = services.emoji_add(actor=request.user, workspace=workspace, name=data["name"], image=data["image"])
        return Response(_emoji_out(emoji, workspace, membership), status=status.HTTP_201_CREATED)


class EmojiAliasCollectionView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="emoji_alias",
        summary="Add another name for a custom or standard emoji",
        request=s.EmojiAliasSerializer,
        responses={201: s.CustomEmojiOutSerializer, **errors(409)},
    )
    def post(self, request, workspace_id: str):
        workspace, membership = request_workspace(request, workspace_id)
        data = validated(s.EmojiAliasSerializer, request.data)
        emoji = services.emoji_alias(
            actor=request.user, workspace=workspace, name=data["name"], alias_for=data["alias_for"]
        )
        return Response(_emoji_out(emoji, workspace, membership), status=status.HTTP_201_CREATED)


class EmojiView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="emoji_remove",
        summary="Remove a custom emoji (and its aliases): its adder, or an owner or admin",
        request=None,
        responses={200: s.CustomEmojiRemovedSerializer, **errors()},
    )
    def delete(self, request, workspace_id: str, name: str):
        workspace, _membership = request_workspace(request, workspace_id)
        return Response({"names": services.emoji_remove(actor=request.user, workspace=workspace, name=name)})


class EmojiImageView(ApiView):
    renderer_classes = [JSONRenderer, AnyContentRenderer]

    @extend_schema(
        tags=TAG,
        operation_id="emoji_image",
        summary="A custom emoji's image (members of the workspace only)",
        description="A PNG, or an animated GIF. Its URL changes whenever the emoji does, so it is sent with "
        "Cache-Control: private, max-age=31536000, immutable.",
        responses={**BINARY_RESPONSE, **errors()},
    )
    def get(self, request, workspace_id: str, key: str):
        workspace, _membership = request_workspace(request, workspace_id)
        emoji = emoji_image_get(workspace=workspace, key=key)
        response = FileResponse(emoji.image.open("rb"), content_type=emoji.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = IMAGE_CACHE_CONTROL
        return response
