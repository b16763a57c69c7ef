"""The requester's own sidebar in a workspace: sections, where channels sit, the Unreads section.

Every answer carries the whole layout as it is after the change, the same shape as the
`sidebar_changed` event the requester's other clients get.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from chat import services
from chat.api.serializers import SidebarSerializer
from chat.models import SectionSort
from chat.selectors import sidebar_layout
from chat.selectors.sidebar import section_wire_id
from slackclone.api.schema import errors
from slackclone.api.views import ApiView, validated
from workspaces.api.context import request_workspace

TAG = ["sidebar"]


class SidebarOutSerializer(serializers.Serializer):
    sidebar = SidebarSerializer()


class SectionCreatedSerializer(SidebarOutSerializer):
    section = serializers.CharField(help_text="The new section's id.")


class SidebarPrefsSerializer(serializers.Serializer):
    show_unreads = serializers.BooleanField(help_text="Show the Unreads section at the top of the sidebar.")


class SectionCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, trim_whitespace=False)


class SectionUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=200, trim_whitespace=False)
    collapsed = serializers.BooleanField(required=False)
    sort = serializers.ChoiceField(choices=SectionSort.values, required=False)


class ChannelPlaceSerializer(serializers.Serializer):
    section = serializers.CharField(max_length=40, help_text="The section's id, as the layout gives it.")
    position = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=100000, help_text="0 is the top; left out: the bottom."
    )


def _layout(request, workspace) -> dict:
    return {"sidebar": sidebar_layout(user=request.user, workspace=workspace)}


class SidebarView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="sidebar_retrieve",
        summary="My sidebar: my sections in order, with the channels placed in each",
        responses={200: SidebarOutSerializer, **errors()},
    )
    def get(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        return Response(_layout(request, workspace))

    @extend_schema(
        tags=TAG,
        operation_id="sidebar_update",
        summary="Show or hide the Unreads section at the top of my sidebar",
        request=SidebarPrefsSerializer,
        responses={200: SidebarOutSerializer, **errors()},
    )
    def patch(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        data = validated(SidebarPrefsSerializer, request.data)
        services.sidebar_set_show_unreads(actor=request.user, workspace=workspace, show_unreads=data["show_unreads"])
        return Response(_layout(request, workspace))


class SectionCollectionView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="sidebar_sections_create",
        summary="Create a section of my own (at most 50; names are mine alone and unique regardless of case)",
        request=SectionCreateSerializer,
        responses={201: SectionCreatedSerializer, **errors(409)},
    )
    def post(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        data = validated(SectionCreateSerializer, request.data)
        section = services.sidebar_section_create(actor=request.user, workspace=workspace, name=data["name"])
        body = {"section": section_wire_id(section), **_layout(request, workspace)}
        return Response(body, status=status.HTTP_201_CREATED)


class SectionView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="sidebar_sections_update",
        summary="Rename a section of mine, collapse or expand it, or choose how it sorts",
        description="The default sections (`channels`, `direct_messages`) collapse and sort but keep their names.",
        request=SectionUpdateSerializer,
        responses={200: SidebarOutSerializer, **errors(409)},
    )
    def patch(self, request, workspace_id: str, section_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        data = validated(SectionUpdateSerializer, request.data)
        services.sidebar_section_update(actor=request.user, workspace=workspace, section_id=section_id, **data)
        return Response(_layout(request, workspace))

    @extend_schema(
        tags=TAG,
        operation_id="sidebar_sections_delete",
        summary="Delete a section of mine; its channels go back to their default sections",
        responses={200: SidebarOutSerializer, **errors()},
    )
    def delete(self, request, workspace_id: str, section_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        services.sidebar_section_delete(actor=request.user, workspace=workspace, section_id=section_id)
        return Response(_layout(request, workspace))


class ChannelPlacementView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="sidebar_channels_place",
        summary="Put a channel or DM I am in into one of my sections, at a position",
        request=ChannelPlaceSerializer,
        responses={200: SidebarOutSerializer, **errors()},
    )
    def put(self, request, workspace_id: str, channel_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        data = validated(ChannelPlaceSerializer, request.data)
        services.sidebar_channel_move(
            actor=request.user,
            workspace=workspace,
            channel_id=channel_id,
            section_id=data["section"],
            position=data.get("position"),
        )
        return Response(_layout(request, workspace))
