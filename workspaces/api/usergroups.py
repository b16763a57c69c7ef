"""User groups of a workspace: list, create, read, change (and disable or enable), set their people."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from chat.selectors.people import PeopleView, people_view
from slackclone.api.schema import errors
from slackclone.api.views import ApiView, validated
from workspaces import selectors, services
from workspaces.api import serializers as s
from workspaces.api.context import request_workspace
from workspaces.models import UserGroup
from workspaces.wire import usergroup_to_wire

TAG = ["usergroups"]


def usergroups_out(groups: Sequence[UserGroup], view: PeopleView) -> list[dict[str, Any]]:
    counts = selectors.usergroup_user_counts(groups=groups)
    users = selectors.usergroup_user_ids(groups=groups, view=view)
    return [dict(usergroup_to_wire(g, user_count=counts[g.pk], users=users[g.pk])) for g in groups]


def one_out(group: UserGroup, view: PeopleView) -> dict[str, Any]:
    fresh = selectors.usergroup_get(actor=None, workspace=group.workspace, public_id=group.public_id)
    return {"usergroup": usergroups_out([fresh], view)[0]}


class UsergroupCollectionView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="usergroups_list",
        summary="The workspace's user groups by handle, with the members you may see",
        parameters=[s.UsergroupsQuerySerializer],
        responses={200: s.UsergroupListSerializer, **errors()},
    )
    def get(self, request, workspace_id: str):
        workspace, membership = request_workspace(request, workspace_id)
        query = validated(s.UsergroupsQuerySerializer, request.query_params)
        groups = selectors.usergroups_list(
            actor=request.user, workspace=workspace, include_disabled=query["include_disabled"]
        )
        return Response({"usergroups": usergroups_out(groups, people_view(workspace=workspace, viewer=membership))})

    @extend_schema(
        tags=TAG,
        operation_id="usergroups_create",
        summary="Create a user group (owners and admins; members where the workspace allows it)",
        request=s.UsergroupCreateSerializer,
        responses={201: s.UsergroupOutSerializer, **errors(409)},
    )
    def post(self, request, workspace_id: str):
        workspace, membership = request_workspace(request, workspace_id)
        data = validated(s.UsergroupCreateSerializer, request.data)
        group = services.usergroup_create(actor=request.user, workspace=workspace, **data)
        view = people_view(workspace=workspace, viewer=membership)
        return Response(one_out(group, view), status=status.HTTP_201_CREATED)


class UsergroupDetailView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="usergroups_retrieve",
        summary="One user group, enabled or not",
        responses={200: s.UsergroupOutSerializer, **errors()},
    )
    def get(self, request, workspace_id: str, usergroup_id: str):
        workspace, membership = request_workspace(request, workspace_id)
        group = selectors.usergroup_get(actor=request.user, workspace=workspace, public_id=usergroup_id)
        return Response(one_out(group, people_view(workspace=workspace, viewer=membership)))

    @extend_schema(
        tags=TAG,
        operation_id="usergroups_update",
        summary="Change a user group's name, handle, description or default channels; disable or enable it",
        request=s.UsergroupUpdateSerializer,
        responses={200: s.UsergroupOutSerializer, **errors(409)},
    )
    def patch(self, request, workspace_id: str, usergroup_id: str):
        workspace, membership = request_workspace(request, workspace_id)
        data = validated(s.UsergroupUpdateSerializer, request.data)
        group = selectors.usergroup_get(actor=request.user, workspace=workspace, public_id=usergroup_id)
        enabled = data.pop("enabled", None)
        if data:
            group = services.usergroup_update(actor=request.user, group=group, **data)
        if enabled is not None:
            group = services.usergroup_set_enabled(actor=request.user, group=group, enabled=enabled)
        return Response(one_out(group, people_view(workspace=workspace, viewer=membership)))


class UsergroupUsersView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="usergroups_set_users",
        summary="Make these people the whole membership of a user group",
        request=s.UsergroupUsersSerializer,
        responses={200: s.UsergroupOutSerializer, **errors()},
    )
    def put(self, request, workspace_id: str, usergroup_id: str):
        workspace, membership = request_workspace(request, workspace_id)
        data = validated(s.UsergroupUsersSerializer, request.data)
        group = selectors.usergroup_get(actor=request.user, workspace=workspace, public_id=usergroup_id)
        group = services.usergroup_set_users(actor=request.user, group=group, users=data["users"])
        return Response(one_out(group, people_view(workspace=workspace, viewer=membership)))
