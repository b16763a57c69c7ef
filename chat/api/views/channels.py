"""Channels: mine (with unread and mention counts), browse, create, detail, update, archive,
join, leave, members, invite and kick; and opening DMs."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.models import User
from accounts.wire import user_to_wire
from chat import services
from chat.api import serializers as s
from chat.api.context import request_channel
from chat.api.output import channel_out
from chat.models import ChannelMember
from chat.permissions import access_channel, access_own_channel_member
from chat.selectors import channel_members_page, public_channels_page, unread_counts, user_channel_memberships
from chat.selectors.people import people_view_of
from slackclone.api.pagination import decode_cursor, encode_cursor
from slackclone.api.schema import errors, ok_response
from slackclone.api.views import ApiView, page_link, validated
from slackclone.errors import DomainError, ErrorCode
from workspaces.api.context import request_workspace

TAG = ["channels"]


def _users_by_public_id(public_ids: list[str]) -> list[User]:
    """The users named, in order; user_not_found for any id that names nobody."""
    found = {user.public_id: user for user in User.objects.filter(public_id__in=public_ids)}
    missing = [public_id for public_id in public_ids if public_id not in found]
    if missing:
        raise DomainError(
            ErrorCode.USER_NOT_FOUND, "No user %(value)s.", fields={"users": missing[0]}, params={"value": missing[0]}
        )
    return [found[public_id] for public_id in dict.fromkeys(public_ids)]


class ChannelCollectionView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="channels_mine",
        summary="My channels and DMs, each with its unread and mention counts and whether I muted it",
        responses={200: s.ChannelListSerializer, **errors()},
    )
    def get(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        counts = unread_counts(user=request.user, workspace=workspace)
        members = user_channel_memberships(user=request.user, workspace=workspace).order_by(
            "channel__kind", "channel__name", "channel__public_id"
        )
        channels = []
        for member in members:
            count = counts[member.channel.public_id]
            channels.append(
                channel_out(
                    member.channel,
                    is_member=True,
                    unread_count=count["unread"],
                    mention_count=count["mentions"],
                    last_read_seq=member.last_read_seq,
                    muted=member.muted,
                    notify_level=member.notify_level,
                )
            )
        return Response({"channels": channels})

    @extend_schema(
        tags=TAG,
        operation_id="channels_create",
        summary="Create a public or private channel",
        request=s.ChannelCreateSerializer,
        responses={201: s.ChannelOutSerializer, **errors(409)},
    )
    def post(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        data = validated(s.ChannelCreateSerializer, request.data)
        channel = services.channel_create(actor=request.user, workspace=workspace, **data)
        return Response({"channel": channel_out(channel, is_member=True)}, status=status.HTTP_201_CREATED)


class ChannelBrowseView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="channels_browse",
        summary="Browse the workspace's public channels (not for guests)",
        parameters=[s.BrowseQuerySerializer],
        responses={200: s.ChannelPageSerializer, **errors()},
    )
    def get(self, request, workspace_id: str):
        workspace, membership = request_workspace(request, workspace_id)
        if membership.is_guest:
            raise DomainError(ErrorCode.RESTRICTED_ACTION, "Guests see only the channels they are invited to.")
        query = validated(s.BrowseQuerySerializer, request.query_params)
        after = decode_cursor(query["cursor"], 1)[0] if "cursor" in query else None
        limit = query["limit"]
        page = public_channels_page(
            workspace=workspace, after=after, limit=limit + 1, include_archived=query["include_archived"]
        )
        mine = set(
            ChannelMember.objects.filter(user=request.user, channel__in=page[:limit]).values_list(
                "channel_id", flat=True
            )
        )
        next_link = None
        if len(page) > limit:
            next_link = page_link(
                request,
                cursor=encode_cursor(page[limit - 1].name),
                limit=limit,
                include_archived=query["include_archived"],
            )
        channels = [channel_out(channel, is_member=channel.pk in mine) for channel in page[:limit]]
        return Response({"channels": channels, "next": next_link})


class DmOpenView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="dms_open",
        summary="Open the DM or group DM with these people (the same channel every time)",
        description="`users` are the others (up to 8); an empty list is a DM with yourself. "
        "201 when the conversation is new, 200 when it already existed.",
        request=s.UserIdsSerializer,
        responses={200: s.ChannelOutSerializer, 201: s.ChannelOutSerializer, **errors()},
    )
    def post(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        data = validated(s.UserIdsSerializer, request.data)
        channel, created = services.dm_open(
            actor=request.user, workspace=workspace, users=_users_by_public_id(data["users"])
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response({"channel": channel_out(channel, is_member=True)}, status=code)


class ChannelDetailView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="channels_retrieve",
        summary="A channel you can see",
        responses={200: s.ChannelOutSerializer, **errors()},
    )
    def get(self, request, channel_id: str):
        channel = request_channel(request, channel_id)
        access = access_channel(request.user, channel)
        return Response({"channel": channel_out(channel, is_member=access.channel_member is not None)})

    @extend_schema(
        tags=TAG,
        operation_id="channels_update",
        summary="Rename a channel, or set its topic or purpose (all or nothing)",
        request=s.ChannelUpdateSerializer,
        responses={200: s.ChannelOutSerializer, **errors(409)},
    )
    def patch(self, request, channel_id: str):
        channel = request_channel(request, channel_id)
        data = validated(s.ChannelUpdateSerializer, request.data)
        services.channel_update(actor=request.user, channel=channel, **data)
        return Response({"channel": channel_out(channel, is_member=True)})


def _prefs_out(channel, member: ChannelMember) -> dict:
    return {"channel": channel.public_id, "muted": member.muted, "notify_level": member.notify_level}


class ChannelPrefsView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="channels_prefs_retrieve",
        summary="Your preferences for a channel you are in: muted, and what notifies you",
        responses={200: s.ChannelPrefsSerializer, **errors()},
    )
    def get(self, request, channel_id: str):
        channel = request_channel(request, channel_id)
        member = access_own_channel_member(request.user, channel)
        return Response(_prefs_out(channel, member))

    @extend_schema(
        tags=TAG,
        operation_id="channels_prefs_update",
        summary="Mute or unmute a channel for yourself, or choose what in it notifies you",
        description="Give `muted`, `notify_level` or both; what is left out stays as it is. "
        "Your other clients get `channel_prefs_changed`.",
        request=s.ChannelPrefsSerializer,
        responses={200: s.ChannelPrefsSerializer, **errors()},
    )
    def patch(self, request, channel_id: str):
        channel = request_channel(request, channel_id)
        data = validated(s.ChannelPrefsSerializer, request.data)
        member = services.channel_prefs_update(
            actor=request.user, channel=channel, muted=data.get("muted"), notify_level=data.get("notify_level")
        )
        return Response(_prefs_out(channel, member))


def _channel_action(operation_id: str, summary: str, conflict: bool = True):
    return extend_schema(
        tags=TAG,
        operation_id=operation_id,
        summary=summary,
        request=None,
        responses={200: s.ChannelOutSerializer, **errors(*((409,) if conflict else ()))},
    )


class ChannelArchiveView(ApiView):
    @_channel_action("channels_archive", "Archive a channel (it stays readable; nobody can post)")
    def post(self, request, channel_id: str):
        channel = services.channel_archive(actor=request.user, channel=request_channel(request, channel_id))
        return Response({"channel": channel_out(channel, is_member=True)})


class ChannelUnarchiveView(ApiView):
    @_channel_action("channels_unarchive", "Bring an archived channel back")
    def post(self, request, channel_id: str):
        channel = services.channel_unarchive(actor=request.user, channel=request_channel(request, channel_id))
        return Response({"channel": channel_out(channel, is_member=True)})


class ChannelJoinView(ApiView):
    @_channel_action("channels_join", "Join a public channel (joining twice is harmless)", conflict=False)
    def post(self, request, channel_id: str):
        channel = request_channel(request, channel_id)
        services.channel_join(actor=request.user, channel=channel)
        return Response({"channel": channel_out(channel, is_member=True)})


class ChannelLeaveView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="channels_leave",
        summary="Leave a channel",
        request=None,
        responses={200: ok_response("You have left the channel."), **errors()},
    )
    def post(self, request, channel_id: str):
        services.channel_leave(actor=request.user, channel=request_channel(request, channel_id))
        return Response({"ok": True})


class ChannelMembersView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="channels_members",
        summary="Who is in a channel, by user id",
        parameters=[s.CursorQuerySerializer],
        responses={200: s.ChannelMemberPageSerializer, **errors()},
    )
    def get(self, request, channel_id: str):
        channel = request_channel(request, channel_id)
        query = validated(s.CursorQuerySerializer, request.query_params)
        after = decode_cursor(query["cursor"], 1)[0] if "cursor" in query else None
        limit = query["limit"]
        page = channel_members_page(channel=channel, after=after, limit=limit + 1)
        next_link = None
        if len(page) > limit:
            next_link = page_link(request, cursor=encode_cursor(page[limit - 1].user.public_id), limit=limit)
        view = people_view_of(actor=request.user, workspace=channel.workspace)
        members = [user_to_wire(m.user, email=view.shows_email(m.user)) for m in page[:limit]]
        return Response({"members": members, "next": next_link})

    @extend_schema(
        tags=TAG,
        operation_id="channels_invite",
        summary="Add people to a channel (those already in it are left as they are)",
        request=s.InviteSerializer,
        responses={200: s.ChannelOutSerializer, **errors()},
    )
    def post(self, request, channel_id: str):
        channel = request_channel(request, channel_id)
        data = validated(s.InviteSerializer, request.data)
        services.channel_invite(actor=request.user, channel=channel, users=_users_by_public_id(data["users"]))
        return Response({"channel": channel_out(channel, is_member=True)})


class ChannelMemberView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="channels_kick",
        summary="Remove someone from a channel (admins and the channel's creator)",
        request=None,
        responses={200: ok_response("They have been removed."), **errors()},
    )
    def delete(self, request, channel_id: str, user_id: str):
        channel = request_channel(request, channel_id)
        user = User.objects.filter(public_id=user_id).first()
        if user is None:
            raise DomainError(ErrorCode.USER_NOT_FOUND, "No user %(user_id)s.", params={"user_id": user_id})
        services.channel_kick(actor=request.user, channel=channel, user=user)
        return Response({"ok": True})
