"""The composer's slash commands: the list to complete from, and running one (slack_apps.commands)."""

from __future__ import annotations

import dataclasses

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from chat.api.context import request_channel
from slack_apps.api import serializers as s
from slack_apps.commands import command_run, commands_available
from slackclone.api.schema import errors
from slackclone.api.views import ApiView, validated

TAG = ["slash commands"]


class CommandsView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="commands_list",
        summary="The slash commands you may run in a conversation: built-ins and the workspace's apps'",
        responses={200: s.CommandListSerializer, **errors()},
    )
    def get(self, request, channel_id: str):
        channel = request_channel(request, channel_id)
        listing = commands_available(actor=request.user, channel=channel)
        return Response({"commands": [dataclasses.asdict(entry) for entry in listing]})

    @extend_schema(
        tags=TAG,
        operation_id="commands_run",
        summary="Run a slash command in a conversation, as typing it in the composer does",
        request=s.CommandRunSerializer,
        responses={200: s.CommandResultSerializer, **errors()},
    )
    def post(self, request, channel_id: str):
        channel = request_channel(request, channel_id)
        data = validated(s.CommandRunSerializer, request.data)
        result = command_run(
            actor=request.user, channel=channel, command=data["command"], text=data["text"], thread_ts=data["thread_ts"]
        )
        body = {"response": result.text}
        if result.posted is not None:
            body["ts"] = result.posted.ts
        return Response(body)
