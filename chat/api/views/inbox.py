"""Unread and mention counts for all my channels in one call, and the mentions inbox."""

from __future__ import annotations

from datetime import datetime

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from chat.api import serializers as s
from chat.api.output import messages_out
from chat.selectors import mentions_inbox, message_sort_key, unread_counts
from slackclone.api.pagination import decode_cursor, encode_cursor
from slackclone.api.schema import errors
from slackclone.api.views import ApiView, page_link, validated
from slackclone.errors import DomainError, ErrorCode
from workspaces.api.context import request_workspace

TAG = ["unread and mentions"]


class UnreadCountsView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="unread_counts",
        summary="Unread and mention counts for every channel and DM of mine",
        responses={200: s.UnreadListSerializer, **errors()},
    )
    def get(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        counts = unread_counts(user=request.user, workspace=workspace)
        channels = [
            {
                "channel": public_id,
                "unread_count": count["unread"],
                "mention_count": count["mentions"],
                "last_read_seq": count["last_read_seq"],
                "last_seq": count["last_seq"],
            }
            for public_id, count in sorted(counts.items())
        ]
        return Response(
            {
                "channels": channels,
                "total_unread": sum(c["unread_count"] for c in channels),
                "total_mentions": sum(c["mention_count"] for c in channels),
            }
        )


def cursor_position(request, workspace, membership, raw: str) -> tuple[datetime, int]:
    """The (created_at, id) keyset position a (channel, ts) cursor names, among the messages the reader
    may read; every invalid cursor answers the same."""
    channel_id, ts = decode_cursor(raw, 2)
    position = message_sort_key(
        user=request.user, workspace=workspace, is_guest=membership.is_guest, channel_public_id=channel_id, ts=ts
    )
    if position is None:
        raise DomainError(ErrorCode.INVALID_ARGUMENTS, "That cursor is not valid.", fields={"cursor": "invalid"})
    return position


class MentionsInboxView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="mentions_inbox",
        summary="Messages that mention me (or @channel, @here, @everyone) in my channels, newest first",
        parameters=[s.CursorQuerySerializer],
        responses={200: s.MentionsPageSerializer, **errors()},
    )
    def get(self, request, workspace_id: str):
        workspace, membership = request_workspace(request, workspace_id)
        query = validated(s.CursorQuerySerializer, request.query_params)
        before = cursor_position(request, workspace, membership, query["cursor"]) if "cursor" in query else None
        limit = query["limit"]
        messages, has_more = mentions_inbox(user=request.user, workspace=workspace, before=before, limit=limit)
        next_link = None
        if has_more:
            last = messages[-1]
            next_link = page_link(request, cursor=encode_cursor(last.channel.public_id, last.ts), limit=limit)
        return Response({"messages": messages_out(messages), "next": next_link})
