"""Messages: keyset history, posting, editing, deleting, thread replies, read markers and read receipts."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from chat import services
from chat.api import serializers as s
from chat.api.context import request_channel
from chat.api.output import messages_out
from chat.selectors import (
    ReadReceipts,
    history_page,
    message_get,
    message_get_for_wire,
    read_receipts,
    thread_page,
)
from chat.wire import message_to_wire
from slackclone.api.schema import errors, ok_response
from slackclone.api.views import ApiView, page_link, validated

TAG = ["messages"]


def _history_links(request, query: dict, page) -> tuple[bool, str | None, str | None]:
    """(has_more, next, previous) for a history page, in the direction the page was read."""
    messages = page.messages
    common = {"limit": query["limit"], "include_replies": query["include_replies"] or None}
    newest = max((m.seq for m in messages), default=None)
    oldest = min((m.seq for m in messages), default=None)
    older = page_link(request, before=oldest, **common) if page.has_older and oldest is not None else None
    newer = page_link(request, after=newest, **common) if page.has_newer and newest is not None else None
    if "after" in query:
        return page.has_newer, newer, older
    return page.has_older, older, newer


def receipts_out(receipts: ReadReceipts | None) -> dict | None:
    return None if receipts is None else {"seq": receipts.seq, "seen_by": receipts.seen_by}


class MessageCollectionView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="messages_history",
        summary="A page of a channel's history, by seq (keyset: every depth costs the same)",
        description="Newest first by default or with `before`; `after` reads forwards, oldest first; "
        "`around` centres the page on a seq. Thread replies appear only with include_replies "
        "(broadcast replies always do).",
        parameters=[s.HistoryQuerySerializer],
        responses={200: s.MessagePageSerializer, **errors()},
    )
    def get(self, request, channel_id: str):
        channel = request_channel(request, channel_id)
        query = validated(s.HistoryQuerySerializer, request.query_params)
        page = history_page(
            channel=channel,
            before=query.get("before"),
            after=query.get("after"),
            around=query.get("around"),
            limit=query["limit"],
            include_replies=query["include_replies"],
            reader=request.user,
        )
        has_more, next_link, previous_link = _history_links(request, query, page)
        body = {"messages": messages_out(page.messages), "has_more": has_more, "next": next_link}
        body["previous"] = previous_link
        if not {"before", "after", "around"} & set(query):
            body["read_receipts"] = receipts_out(read_receipts(channel=channel, reader=request.user))
        return Response(body)

    @extend_schema(
        tags=TAG,
        operation_id="messages_post",
        summary="Post a message, or a thread reply with thread_ts",
        description="The same client_msg_id from the same sender posts once: a retry gets the first "
        "message back (200 instead of 201).",
        request=s.MessagePostSerializer,
        responses={201: s.MessageOutSerializer, 200: s.MessageOutSerializer, **errors()},
    )
    def post(self, request, channel_id: str):
        channel = request_channel(request, channel_id)
        data = validated(s.MessagePostSerializer, request.data)
        before = channel.last_seq
        message = services.message_post(
            sender=request.user,
            channel=channel,
            text=data["text"],
            blocks=data.get("blocks"),
            legacy_attachments=data.get("attachments"),
            thread_ts=data.get("thread_ts"),
            client_msg_id=data.get("client_msg_id"),
            reply_broadcast=data["reply_broadcast"],
            unfurl_links=data["unfurl_links"],
            unfurl_media=data["unfurl_media"],
        )
        created = message.seq > before
        message = message_get_for_wire(channel=message.channel, ts=message.ts)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response({"message": message_to_wire(message)}, status=code)


class MessageDetailView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="messages_retrieve",
        summary="One message, by its channel and ts",
        responses={200: s.MessageOutSerializer, **errors()},
    )
    def get(self, request, channel_id: str, ts: str):
        channel = request_channel(request, channel_id)
        return Response({"message": message_to_wire(message_get_for_wire(channel=channel, ts=ts))})

    @extend_schema(
        tags=TAG,
        operation_id="messages_edit",
        summary="Edit your message",
        request=s.MessageEditSerializer,
        responses={200: s.MessageOutSerializer, **errors()},
    )
    def patch(self, request, channel_id: str, ts: str):
        channel = request_channel(request, channel_id)
        data = validated(s.MessageEditSerializer, request.data)
        services.message_edit(
            actor=request.user,
            message=message_get(channel=channel, ts=ts),
            text=data["text"],
            blocks=data.get("blocks"),
            legacy_attachments=data.get("attachments"),
        )
        return Response({"message": message_to_wire(message_get_for_wire(channel=channel, ts=ts))})

    @extend_schema(
        tags=TAG,
        operation_id="messages_delete",
        summary="Delete a message (the author, or a workspace admin); a tombstone keeps its seq",
        request=None,
        responses={200: ok_response("Deleted."), **errors()},
    )
    def delete(self, request, channel_id: str, ts: str):
        channel = request_channel(request, channel_id)
        services.message_delete(actor=request.user, message=message_get(channel=channel, ts=ts))
        return Response({"ok": True})


class ThreadRepliesView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="messages_replies",
        summary="A thread: its first message and a page of replies, oldest first",
        parameters=[s.ThreadQuerySerializer],
        responses={200: s.ThreadPageSerializer, **errors()},
    )
    def get(self, request, channel_id: str, ts: str):
        channel = request_channel(request, channel_id)
        query = validated(s.ThreadQuerySerializer, request.query_params)
        root = message_get_for_wire(channel=channel, ts=ts)
        if root.thread_root is not None:
            root = message_get_for_wire(channel=channel, ts=root.thread_root.ts)
        replies, has_more = thread_page(root=root, after=query.get("after"), limit=query["limit"], reader=request.user)
        next_link = page_link(request, after=replies[-1].seq, limit=query["limit"]) if has_more else None
        return Response(
            {"root": message_to_wire(root), "replies": messages_out(replies), "has_more": has_more, "next": next_link}
        )


class MarkReadView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="channels_mark_read",
        summary="Move your read marker to a seq (forwards, or back to mark unread)",
        request=s.MarkReadSerializer,
        responses={200: s.ReadMarkerSerializer, **errors()},
    )
    def post(self, request, channel_id: str):
        channel = request_channel(request, channel_id)
        data = validated(s.MarkReadSerializer, request.data)
        marked = services.channel_mark_read(actor=request.user, channel=channel, seq=data["seq"])
        return Response(
            {"channel": channel.public_id, "last_read_seq": marked.last_read_seq, "unread_count": marked.unread_count}
        )


class ReadReceiptsView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="channels_read_receipts",
        summary="Who has seen the last message of a DM or group DM of up to 10 people",
        description="Only where the workspace shows read receipts, leaving out the message's author and you, "
        "and only people who send theirs; `read_receipts` is null anywhere else. The "
        "`read_receipts_changed` event keeps it current.",
        responses={200: s.ReadReceiptsOutSerializer, **errors()},
    )
    def get(self, request, channel_id: str):
        channel = request_channel(request, channel_id)
        receipts = read_receipts(channel=channel, reader=request.user)
        return Response({"channel": channel.public_id, "read_receipts": receipts_out(receipts)})


class MessageForwardView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="messages_forward",
        summary="Forward a message to another conversation, with a comment",
        description="The copy carries the source as Slack's share attachment (`is_share`: author, channel, "
        "time, text and permalink).",
        request=s.MessageForwardSerializer,
        responses={201: s.MessageOutSerializer, **errors()},
    )
    def post(self, request, channel_id: str, ts: str):
        source = request_channel(request, channel_id)
        data = validated(s.MessageForwardSerializer, request.data)
        target = request_channel(request, data["channel"])
        copy = services.message_forward(
            actor=request.user, message=message_get(channel=source, ts=ts), channel=target, comment=data["comment"]
        )
        copy = message_get_for_wire(channel=target, ts=copy.ts)
        return Response({"message": message_to_wire(copy)}, status=status.HTTP_201_CREATED)
