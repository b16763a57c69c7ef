"""Reactions (add, remove, list who) and pins."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from chat import services
from chat.api import serializers as s
from chat.api.context import request_channel
from chat.api.output import messages_out
from chat.selectors import channel_pins, message_get, message_get_for_wire
from chat.wire import message_to_wire, reactions_to_wire
from slackclone.api.schema import errors
from slackclone.api.views import ApiView, validated

TAG = ["reactions and pins"]


def _message_out(channel, ts: str) -> dict:
    return {"message": message_to_wire(message_get_for_wire(channel=channel, ts=ts))}


class ReactionCollectionView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="reactions_list",
        summary="Who reacted to a message, with which emoji",
        responses={200: s.ReactionListSerializer, **errors()},
    )
    def get(self, request, channel_id: str, ts: str):
        channel = request_channel(request, channel_id)
        message = message_get_for_wire(channel=channel, ts=ts)
        return Response({"reactions": [] if message.is_deleted else reactions_to_wire(message)})

    @extend_schema(
        tags=TAG,
        operation_id="reactions_add",
        summary="React to a message",
        request=s.ReactionAddSerializer,
        responses={201: s.MessageOutSerializer, **errors(409)},
    )
    def post(self, request, channel_id: str, ts: str):
        channel = request_channel(request, channel_id)
        data = validated(s.ReactionAddSerializer, request.data)
        services.reaction_add(actor=request.user, message=message_get(channel=channel, ts=ts), emoji=data["name"])
        return Response(_message_out(channel, ts), status=status.HTTP_201_CREATED)


class ReactionView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="reactions_remove",
        summary="Take back one of your reactions",
        request=None,
        responses={200: s.MessageOutSerializer, **errors()},
    )
    def delete(self, request, channel_id: str, ts: str, name: str):
        channel = request_channel(request, channel_id)
        services.reaction_remove(actor=request.user, message=message_get(channel=channel, ts=ts), emoji=name)
        return Response(_message_out(channel, ts))


class PinListView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="pins_list",
        summary="A channel's pinned messages, most recently pinned first",
        responses={200: s.MessageListSerializer, **errors()},
    )
    def get(self, request, channel_id: str):
        channel = request_channel(request, channel_id)
        return Response({"messages": messages_out(channel_pins(channel=channel))})


class PinView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="pins_add",
        summary="Pin a message to its channel",
        request=None,
        responses={201: s.MessageOutSerializer, **errors(409)},
    )
    def post(self, request, channel_id: str, ts: str):
        channel = request_channel(request, channel_id)
        services.pin_add(actor=request.user, message=message_get(channel=channel, ts=ts))
        return Response(_message_out(channel, ts), status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAG,
        operation_id="pins_remove",
        summary="Unpin a message",
        request=None,
        responses={200: s.MessageOutSerializer, **errors()},
    )
    def delete(self, request, channel_id: str, ts: str):
        channel = request_channel(request, channel_id)
        services.pin_remove(actor=request.user, message=message_get(channel=channel, ts=ts))
        return Response(_message_out(channel, ts))
