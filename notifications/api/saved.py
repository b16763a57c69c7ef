"""Saved for later over the REST API: my list (in progress or done), saving a message, marking it done,
removing it (notifications.services.saved)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from chat.api.context import request_channel
from chat.api.serializers import MessageSerializer
from chat.selectors import message_get
from chat.wire import message_to_wire
from notifications import selectors
from notifications.models import SavedItem
from notifications.services.saved import saved_add, saved_remove, saved_set_done
from slackclone.api.schema import errors, ok_response
from slackclone.api.views import ApiView, validated
from workspaces.api.context import request_workspace

TAG = ["saved"]


class SavedQuerySerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["in_progress", "done"], default="in_progress")


class SavedItemSerializer(serializers.Serializer):
    channel = serializers.CharField()
    message = MessageSerializer()
    date_create = serializers.IntegerField(help_text="When it was saved (Unix time).")
    done = serializers.BooleanField()


class SavedListSerializer(serializers.Serializer):
    items = SavedItemSerializer(many=True)


class SavedDoneSerializer(serializers.Serializer):
    done = serializers.BooleanField()


def saved_out(item: SavedItem) -> dict:
    return {
        "channel": item.message.channel.public_id,
        "message": message_to_wire(item.message),
        "date_create": int(item.saved_at.timestamp()),
        "done": item.done_at is not None,
    }


class SavedListView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="saved_list",
        summary="My saved messages, newest saved first: those in progress, or those done",
        parameters=[SavedQuerySerializer],
        responses={200: SavedListSerializer, **errors()},
    )
    def get(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        query = validated(SavedQuerySerializer, request.query_params)
        rows = selectors.saved_items(user=request.user, workspace=workspace, done=query["state"] == "done")
        return Response({"items": [saved_out(row) for row in rows]})


class SavedMessageView(ApiView):
    @extend_schema(tags=TAG, operation_id="saved_add", summary="Save a message for later", request=None,
                   responses={200: ok_response("Saved."), **errors()})  # fmt: skip
    def put(self, request, channel_id: str, ts: str):
        channel = request_channel(request, channel_id)
        saved_add(actor=request.user, message=message_get(channel=channel, ts=ts))
        return Response({"ok": True})

    @extend_schema(tags=TAG, operation_id="saved_done", summary="Mark a saved message done, or not",
                   request=SavedDoneSerializer, responses={200: ok_response("Changed."), **errors()})  # fmt: skip
    def patch(self, request, channel_id: str, ts: str):
        channel = request_channel(request, channel_id)
        data = validated(SavedDoneSerializer, request.data)
        saved_set_done(actor=request.user, message=message_get(channel=channel, ts=ts), done=data["done"])
        return Response({"ok": True})

    @extend_schema(tags=TAG, operation_id="saved_remove", summary="Remove a message from my saved items",
                   responses={200: ok_response("Removed."), **errors()})  # fmt: skip
    def delete(self, request, channel_id: str, ts: str):
        channel = request_channel(request, channel_id)
        saved_remove(actor=request.user, message=message_get(channel=channel, ts=ts))
        return Response({"ok": True})
