"""The Threads view over the REST API: the threads I follow, newest reply first, with my unread counts;
following, unfollowing and reading one; my "new replies" notification preference (chat.services.threads).

Slack has no public Web API for its Threads view, so slack_api has no counterpart.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from chat.api.serializers import CursorQuerySerializer, MessageSerializer
from chat.models import Channel, ThreadFollow
from chat.selectors import (
    FollowedThread,
    channel_get,
    followed_threads,
    thread_follow_get,
    thread_position,
    thread_preferences,
    unread_threads_count,
)
from chat.services import thread_follow, thread_mark_read, thread_preferences_set, thread_unfollow
from chat.wire import message_to_wire
from slackclone.api.pagination import decode_cursor, encode_cursor
from slackclone.api.schema import errors
from slackclone.api.views import ApiView, page_link, validated
from slackclone.errors import DomainError, ErrorCode
from workspaces.api.context import request_workspace

TAG = ["threads"]


class ThreadsQuerySerializer(CursorQuerySerializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=20)


class ThreadSerializer(serializers.Serializer):
    channel = serializers.CharField()
    root = MessageSerializer(help_text="The thread's first message, with reply_count and latest_reply.")
    latest_replies = MessageSerializer(many=True, help_text="Its newest replies, oldest first.")
    unread_count = serializers.IntegerField(help_text="Replies by others after my read marker.")


class ThreadsPageSerializer(serializers.Serializer):
    threads = ThreadSerializer(many=True)
    unread_threads = serializers.IntegerField(help_text="How many of my followed threads have unread replies.")
    next = serializers.CharField(allow_null=True)


class UnreadThreadsSerializer(serializers.Serializer):
    unread_threads = serializers.IntegerField()


class ThreadStateSerializer(serializers.Serializer):
    channel = serializers.CharField()
    thread_ts = serializers.CharField()
    following = serializers.BooleanField()
    last_read = serializers.CharField(help_text="The ts of the last reply read; empty when none.")


class ThreadPreferencesSerializer(serializers.Serializer):
    new_replies = serializers.BooleanField(help_text="Notify me of new replies in threads I follow.")


def thread_out(thread: FollowedThread) -> dict[str, Any]:
    return {
        "channel": thread.root.channel.public_id,
        "root": message_to_wire(thread.root),
        "latest_replies": [message_to_wire(reply) for reply in thread.latest_replies],
        "unread_count": thread.unread_count,
    }


def state_out(channel: Channel, ts: str, follow: ThreadFollow | None) -> dict[str, Any]:
    return {
        "channel": channel.public_id,
        "thread_ts": follow.root.ts if follow is not None else ts,
        "following": follow is not None and follow.following,
        "last_read": follow.last_read_ts if follow is not None else "",
    }


class ThreadListView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="threads_list",
        summary="The threads I follow, newest reply first, with my unread count in each",
        parameters=[ThreadsQuerySerializer],
        responses={200: ThreadsPageSerializer, **errors()},
    )
    def get(self, request, workspace_id: str):
        workspace, membership = request_workspace(request, workspace_id)
        query = validated(ThreadsQuerySerializer, request.query_params)
        before = None
        if "cursor" in query:
            channel_id, ts, latest = decode_cursor(query["cursor"], 3)
            channel = channel_get(actor=request.user, public_id=channel_id, workspace=workspace)
            before = thread_position(user=request.user, channel=channel, ts=ts, latest_reply_ts=latest)
            if before is None:
                raise DomainError(
                    ErrorCode.INVALID_ARGUMENTS, "That cursor is not valid.", fields={"cursor": "invalid"}
                )
        reader = {"user": request.user, "workspace": workspace, "is_guest": membership.is_guest}
        threads, has_more = followed_threads(**reader, before=before, limit=query["limit"])
        next_link = None
        if has_more:
            last = threads[-1].root
            cursor = encode_cursor(last.channel.public_id, last.ts, last.latest_reply_ts)
            next_link = page_link(request, cursor=cursor, limit=query["limit"])
        return Response(
            {
                "threads": [thread_out(thread) for thread in threads],
                "unread_threads": unread_threads_count(**reader),
                "next": next_link,
            }
        )


class UnreadThreadsView(ApiView):
    @extend_schema(tags=TAG, operation_id="threads_unread", summary="How many threads I follow have unread replies",
                   responses={200: UnreadThreadsSerializer, **errors()})  # fmt: skip
    def get(self, request, workspace_id: str):
        workspace, membership = request_workspace(request, workspace_id)
        count = unread_threads_count(user=request.user, workspace=workspace, is_guest=membership.is_guest)
        return Response({"unread_threads": count})


def _thread_channel(request, workspace_id: str, channel_id: str) -> Channel:
    """The channel a thread URL names, in the URL's workspace, as the requester may see it."""
    workspace, _ = request_workspace(request, workspace_id)
    return channel_get(actor=request.user, public_id=channel_id, workspace=workspace)


class ThreadFollowView(ApiView):
    @extend_schema(tags=TAG, operation_id="threads_state", summary="Whether I follow a thread, and how far I read it",
                   responses={200: ThreadStateSerializer, **errors()})  # fmt: skip
    def get(self, request, workspace_id: str, channel_id: str, ts: str):
        channel = _thread_channel(request, workspace_id, channel_id)
        root, follow = thread_follow_get(user=request.user, channel=channel, ts=ts)
        return Response(state_out(channel, root.ts, follow))

    @extend_schema(tags=TAG, operation_id="threads_follow", summary="Follow a thread", request=None,
                   responses={200: ThreadStateSerializer, **errors()})  # fmt: skip
    def post(self, request, workspace_id: str, channel_id: str, ts: str):
        channel = _thread_channel(request, workspace_id, channel_id)
        follow = thread_follow(actor=request.user, channel=channel, ts=ts)
        return Response(state_out(channel, ts, follow))

    @extend_schema(tags=TAG, operation_id="threads_unfollow", summary="Stop following a thread",
                   responses={200: ThreadStateSerializer, **errors()})  # fmt: skip
    def delete(self, request, workspace_id: str, channel_id: str, ts: str):
        channel = _thread_channel(request, workspace_id, channel_id)
        follow = thread_unfollow(actor=request.user, channel=channel, ts=ts)
        return Response(state_out(channel, ts, follow))


class ThreadReadView(ApiView):
    @extend_schema(tags=TAG, operation_id="threads_mark_read", summary="Mark a thread read to its latest reply",
                   request=None, responses={200: ThreadStateSerializer, **errors()})  # fmt: skip
    def post(self, request, workspace_id: str, channel_id: str, ts: str):
        channel = _thread_channel(request, workspace_id, channel_id)
        follow = thread_mark_read(actor=request.user, channel=channel, ts=ts)
        return Response(state_out(channel, ts, follow))


class ThreadPreferencesView(ApiView):
    @extend_schema(tags=TAG, operation_id="threads_preferences", summary="My notification preference for threads",
                   responses={200: ThreadPreferencesSerializer, **errors()})  # fmt: skip
    def get(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        return Response(thread_preferences(user=request.user, workspace=workspace))

    @extend_schema(
        tags=TAG,
        operation_id="threads_set_preferences",
        summary="Change my notification preference for threads",
        request=ThreadPreferencesSerializer,
        responses={200: ThreadPreferencesSerializer, **errors()},
    )
    def put(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        data = validated(ThreadPreferencesSerializer, request.data)
        prefs = thread_preferences_set(actor=request.user, workspace=workspace, new_replies=data["new_replies"])
        return Response(prefs)
