"""The notifications inbox, scheduled messages ("send later") and reminders, under /api/v1/."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.api.authentication import token_workspace
from chat.selectors import channel_get, message_get
from chat.wire import message_to_wire
from notifications import selectors, services
from notifications.api import serializers as s
from notifications.models import Notification, Reminder, ScheduledMessage
from slackclone.api.pagination import decode_cursor, encode_cursor
from slackclone.api.schema import errors, ok_response
from slackclone.api.views import ApiView, page_link, validated
from slackclone.errors import DomainError, ErrorCode
from workspaces.api.context import request_workspace

INBOX = ["notifications"]
SCHEDULED = ["scheduled messages"]
REMINDERS = ["reminders"]


def notification_out(notification: Notification) -> dict[str, Any]:
    return {
        "reason": notification.reason,
        "created": int(notification.created_at.timestamp()),
        "is_unread": notification.is_unread,
        "message": message_to_wire(notification.message),
    }


def scheduled_out(row: ScheduledMessage) -> dict[str, Any]:
    return {
        "id": row.public_id,
        "channel": row.channel.public_id,
        "text": row.text,
        "post_at": int(row.post_at.timestamp()),
        "thread_ts": row.thread_ts or None,
        "state": row.state,
        "date_created": int(row.created_at.timestamp()),
        "message_ts": row.message.ts if row.message else None,
        "error": row.error_code or None,
    }


def reminder_out(row: Reminder) -> dict[str, Any]:
    message = row.message
    return {
        "id": row.public_id,
        "text": row.text,
        "time": int(row.remind_at.timestamp()),
        "state": row.state,
        "channel": message.channel.public_id if message else None,
        "ts": message.ts if message else None,
    }


def _in_token_workspace(request, workspace_id: int, error: DomainError) -> None:
    """A token acts in one workspace: rows elsewhere do not exist for it."""
    within = token_workspace(request)
    if within is not None and within.pk != workspace_id:
        raise error


class InboxView(ApiView):
    @extend_schema(
        tags=INBOX,
        operation_id="notifications_list",
        summary="My notifications (mentions, DMs, @channel, thread replies…), newest first, with unread state",
        description="A notification is unread until marked read or until its channel is read past its message.",
        parameters=[s.NotificationQuerySerializer],
        responses={200: s.NotificationPageSerializer, **errors()},
    )
    def get(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        query = validated(s.NotificationQuerySerializer, request.query_params)
        before = None
        if "cursor" in query:
            channel_id, ts = decode_cursor(query["cursor"], 2)
            before = selectors.notification_position(
                user=request.user, workspace=workspace, channel_public_id=channel_id, ts=ts
            )
            if before is None:
                raise DomainError(
                    ErrorCode.INVALID_ARGUMENTS, "That cursor is not valid.", fields={"cursor": "invalid"}
                )
        rows, has_more = selectors.notification_inbox(
            user=request.user,
            workspace=workspace,
            unread_only=query["unread_only"],
            before=before,
            limit=query["limit"],
        )
        next_link = None
        if has_more:
            last = rows[-1]
            cursor = encode_cursor(last.channel.public_id, last.message.ts)
            next_link = page_link(
                request, cursor=cursor, limit=query["limit"], unread_only=query["unread_only"] or None
            )
        unread = selectors.notification_unread_count(user=request.user, workspace=workspace)
        return Response(
            {"notifications": [notification_out(n) for n in rows], "unread_count": unread, "next": next_link}
        )


class MarkReadView(ApiView):
    @extend_schema(
        tags=INBOX,
        operation_id="notifications_mark_read",
        summary="Mark one notification read (channel and ts), or all of mine in the workspace",
        request=s.NotificationMarkReadSerializer,
        responses={200: s.NotificationMarkReadResultSerializer, **errors()},
    )
    def post(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        data = validated(s.NotificationMarkReadSerializer, request.data)
        message = None
        if "channel" in data:
            channel = channel_get(actor=request.user, public_id=data["channel"], workspace=workspace)
            message = message_get(channel=channel, ts=data["ts"])
        marked = services.notification_mark_read(actor=request.user, workspace=workspace, message=message)
        unread = selectors.notification_unread_count(user=request.user, workspace=workspace)
        return Response({"marked": marked, "unread_count": unread})


class ScheduledCollectionView(ApiView):
    @extend_schema(
        tags=SCHEDULED,
        operation_id="scheduled_messages_list",
        summary="My messages waiting to be posted, soonest first",
        parameters=[s.ScheduledListQuerySerializer],
        responses={200: s.ScheduledMessageListSerializer, **errors()},
    )
    def get(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        query = validated(s.ScheduledListQuerySerializer, request.query_params)
        channel = None
        if "channel" in query:
            channel = channel_get(actor=request.user, public_id=query["channel"], workspace=workspace)
        rows = selectors.scheduled_messages(user=request.user, workspace=workspace, channel=channel)
        return Response({"scheduled_messages": [scheduled_out(row) for row in rows]})

    @extend_schema(
        tags=SCHEDULED,
        operation_id="scheduled_messages_create",
        summary="Schedule a message to be posted later (as me, through the same path as posting now)",
        request=s.ScheduledCreateSerializer,
        responses={201: s.ScheduledMessageBodySerializer, **errors()},
    )
    def post(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        data = validated(s.ScheduledCreateSerializer, request.data)
        channel = channel_get(actor=request.user, public_id=data["channel"], workspace=workspace)
        row = services.scheduled_message_create(
            actor=request.user,
            channel=channel,
            text=data["text"],
            post_at=data["post_at"],
            thread_ts=data.get("thread_ts"),
            reply_broadcast=data["reply_broadcast"],
        )
        return Response({"scheduled_message": scheduled_out(row)}, status=status.HTTP_201_CREATED)


class ScheduledDetailView(ApiView):
    def _get(self, request, scheduled_id: str) -> ScheduledMessage:
        row = selectors.scheduled_message_get(user=request.user, public_id=scheduled_id)
        not_found = DomainError(ErrorCode.SCHEDULED_MESSAGE_NOT_FOUND, "No such scheduled message.")
        _in_token_workspace(request, row.workspace_id, not_found)
        return row

    @extend_schema(
        tags=SCHEDULED,
        operation_id="scheduled_messages_get",
        summary="One of my scheduled messages, whatever its state",
        responses={200: s.ScheduledMessageBodySerializer, **errors()},
    )
    def get(self, request, scheduled_id: str):
        return Response({"scheduled_message": scheduled_out(self._get(request, scheduled_id))})

    @extend_schema(
        tags=SCHEDULED,
        operation_id="scheduled_messages_edit",
        summary="Change the text or time of a message not yet posted",
        request=s.ScheduledEditSerializer,
        responses={200: s.ScheduledMessageBodySerializer, **errors()},
    )
    def patch(self, request, scheduled_id: str):
        row = self._get(request, scheduled_id)
        data = validated(s.ScheduledEditSerializer, request.data)
        row = services.scheduled_message_edit(
            actor=request.user, scheduled=row, text=data.get("text"), post_at=data.get("post_at")
        )
        return Response({"scheduled_message": scheduled_out(row)})

    @extend_schema(
        tags=SCHEDULED,
        operation_id="scheduled_messages_cancel",
        summary="Cancel a message before it is posted",
        responses={200: ok_response("Cancelled."), **errors()},
    )
    def delete(self, request, scheduled_id: str):
        services.scheduled_message_cancel(actor=request.user, scheduled=self._get(request, scheduled_id))
        return Response({"ok": True})


class ReminderCollectionView(ApiView):
    @extend_schema(
        tags=REMINDERS,
        operation_id="reminders_list",
        summary="My reminders, soonest first (pending ones unless include_done)",
        parameters=[s.ReminderListQuerySerializer],
        responses={200: s.ReminderListSerializer, **errors()},
    )
    def get(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        query = validated(s.ReminderListQuerySerializer, request.query_params)
        rows = selectors.reminders(user=request.user, workspace=workspace, include_done=query["include_done"])
        return Response({"reminders": [reminder_out(row) for row in rows]})

    @extend_schema(
        tags=REMINDERS,
        operation_id="reminders_create",
        summary="Remind me (by a DM from Slackbot) of something, or of a message, at a time",
        description="`when` is read in my time zone (“in 20 minutes”, “at 9:00 tomorrow”, “2026-03-01 09:00”); "
        "or give `time` exactly.",
        request=s.ReminderCreateSerializer,
        responses={201: s.ReminderBodySerializer, **errors()},
    )
    def post(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        data = validated(s.ReminderCreateSerializer, request.data)
        message = None
        if "channel" in data:
            channel = channel_get(actor=request.user, public_id=data["channel"], workspace=workspace)
            message = message_get(channel=channel, ts=data["ts"])
        row = services.reminder_create(
            actor=request.user,
            workspace=workspace,
            text=data["text"],
            message=message,
            when=data.get("when"),
            remind_at=data.get("time"),
        )
        return Response({"reminder": reminder_out(row)}, status=status.HTTP_201_CREATED)


class ReminderDetailView(ApiView):
    def _get(self, request, reminder_id: str) -> Reminder:
        row = selectors.reminder_get(user=request.user, public_id=reminder_id)
        _in_token_workspace(request, row.workspace_id, DomainError(ErrorCode.REMINDER_NOT_FOUND, "No such reminder."))
        return row

    @extend_schema(
        tags=REMINDERS,
        operation_id="reminders_get",
        summary="One of my reminders",
        responses={200: s.ReminderBodySerializer, **errors()},
    )
    def get(self, request, reminder_id: str):
        return Response({"reminder": reminder_out(self._get(request, reminder_id))})

    @extend_schema(
        tags=REMINDERS,
        operation_id="reminders_cancel",
        summary="Cancel a reminder that has not fired",
        responses={200: ok_response("Cancelled."), **errors()},
    )
    def delete(self, request, reminder_id: str):
        services.reminder_cancel(actor=request.user, reminder=self._get(request, reminder_id))
        return Response({"ok": True})
