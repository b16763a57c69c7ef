"""Workspaces: mine, create, detail; members with roles, role changes, (de)activation; invitations."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.api.authentication import request_token, token_workspace
from accounts.wire import user_to_wire
from chat.selectors.people import PeopleView, people_view
from slackclone.api.pagination import decode_cursor, encode_cursor
from slackclone.api.schema import errors, ok_response
from slackclone.api.views import ApiView, page_link, validated
from slackclone.errors import DomainError, ErrorCode
from workspaces import services
from workspaces.api import serializers as s
from workspaces.api.context import request_workspace
from workspaces.models import Invitation, Membership, Workspace
from workspaces.selectors import (
    invitation_get,
    user_workspaces,
    workspace_invitation_get,
    workspace_invitations,
    workspace_member_get,
    workspace_members,
)

TAG = ["workspaces"]


def workspace_out(workspace: Workspace, role: str) -> dict[str, Any]:
    return {
        "id": workspace.public_id,
        "name": workspace.name,
        "slug": workspace.slug,
        "created": int(workspace.created_at.timestamp()),
        "icon": workspace.icon.url if workspace.icon else "",
        "role": role,
        "read_receipts": workspace.read_receipts,
    }


def member_out(membership: Membership, view: PeopleView) -> dict[str, Any]:
    return {
        "user": user_to_wire(membership.user, email=view.shows_email(membership.user)),
        "role": membership.role,
        "is_active": membership.is_active,
        "joined": int(membership.joined_at.timestamp()),
    }


def invitation_out(invitation: Invitation) -> dict[str, Any]:
    """An invitation as admins see it: the secret only for a link anyone may use (an addressed one is
    mailed to its address and shown to no one else)."""
    token = invitation.shareable_token
    return {
        "id": invitation.public_id,
        "token": token,
        "workspace": invitation.workspace.public_id,
        "email": invitation.email,
        "role": invitation.role,
        "inviter": invitation.inviter.public_id if invitation.inviter else None,
        "created": int(invitation.created_at.timestamp()),
        "expires": int(invitation.expires_at.timestamp()),
        "max_uses": invitation.max_uses,
        "uses": invitation.uses,
        "accept_url": reverse("api:invitation-accept", args=[token]) if token else None,
    }


def session_only(request, action: str) -> None:
    """API tokens act inside their one workspace; joining or creating another needs a signed-in session."""
    if request_token(request) is not None:
        raise DomainError(
            ErrorCode.RESTRICTED_ACTION,
            "API tokens act in one workspace; %(action)s from a session.",
            params={"action": action},
        )


class WorkspaceCollectionView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="workspaces_mine",
        summary="The workspaces I am active in (a token: its own workspace)",
        responses={200: s.WorkspaceListSerializer, **errors()},
    )
    def get(self, request):
        memberships = user_workspaces(user=request.user, within=token_workspace(request))
        return Response({"workspaces": [workspace_out(m.workspace, m.role) for m in memberships]})

    @extend_schema(
        tags=TAG,
        operation_id="workspaces_create",
        summary="Create a workspace (you become its owner; #general and #random come with it)",
        request=s.WorkspaceCreateSerializer,
        responses={201: s.WorkspaceOutSerializer, **errors(409)},
    )
    def post(self, request):
        session_only(request, "create workspaces")
        data = validated(s.WorkspaceCreateSerializer, request.data)
        workspace = services.workspace_create(creator=request.user, name=data["name"], slug=data["slug"])
        return Response({"workspace": workspace_out(workspace, "owner")}, status=status.HTTP_201_CREATED)


class WorkspaceDetailView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="workspaces_retrieve",
        summary="A workspace I am in",
        responses={200: s.WorkspaceOutSerializer, **errors()},
    )
    def get(self, request, workspace_id: str):
        workspace, membership = request_workspace(request, workspace_id)
        return Response({"workspace": workspace_out(workspace, membership.role)})


class MemberCollectionView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="workspaces_members",
        summary="The workspace's people with their roles, by user id",
        parameters=[s.MembersQuerySerializer],
        responses={200: s.MemberPageSerializer, **errors()},
    )
    def get(self, request, workspace_id: str):
        workspace, membership = request_workspace(request, workspace_id)
        view = people_view(workspace=workspace, viewer=membership)
        query = validated(s.MembersQuerySerializer, request.query_params)
        after = decode_cursor(query["cursor"], 1)[0] if "cursor" in query else None
        limit = query["limit"]
        page = workspace_members(
            workspace=workspace, after=after, limit=limit + 1, include_inactive=query["include_inactive"], view=view
        )
        next_link = None
        if len(page) > limit:
            next_link = page_link(
                request,
                cursor=encode_cursor(page[limit - 1].user.public_id),
                limit=limit,
                include_inactive=query["include_inactive"],
            )
        return Response({"members": [member_out(m, view) for m in page[:limit]], "next": next_link})


class MemberDetailView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="workspaces_member",
        summary="One person of the workspace",
        responses={200: s.MemberOutSerializer, **errors()},
    )
    def get(self, request, workspace_id: str, user_id: str):
        workspace, membership = request_workspace(request, workspace_id)
        view = people_view(workspace=workspace, viewer=membership)
        member = workspace_member_get(workspace=workspace, user_public_id=user_id, view=view)
        return Response({"member": member_out(member, view)})

    @extend_schema(
        tags=TAG,
        operation_id="workspaces_change_role",
        summary="Change someone's role (admins: members and guests; owners: everyone)",
        request=s.RoleChangeSerializer,
        responses={200: s.MemberOutSerializer, **errors(409)},
    )
    def patch(self, request, workspace_id: str, user_id: str):
        workspace, mine = request_workspace(request, workspace_id)
        data = validated(s.RoleChangeSerializer, request.data)
        view = people_view(workspace=workspace, viewer=mine)
        target = workspace_member_get(workspace=workspace, user_public_id=user_id, view=view)
        membership = services.member_change_role(
            actor=request.user, workspace=workspace, user=target.user, role=data["role"]
        )
        membership.user = target.user
        return Response({"member": member_out(membership, view)})


class MemberDeactivateView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="workspaces_deactivate_member",
        summary="Deactivate someone (admins); their history stays",
        request=None,
        responses={200: s.MemberOutSerializer, **errors(409)},
    )
    def post(self, request, workspace_id: str, user_id: str):
        workspace, mine = request_workspace(request, workspace_id)
        view = people_view(workspace=workspace, viewer=mine)
        target = workspace_member_get(workspace=workspace, user_public_id=user_id, view=view)
        membership = services.member_deactivate(actor=request.user, workspace=workspace, user=target.user)
        membership.user = target.user
        return Response({"member": member_out(membership, view)})


class MemberReactivateView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="workspaces_reactivate_member",
        summary="Let a deactivated member back in (admins)",
        request=None,
        responses={200: s.MemberOutSerializer, **errors()},
    )
    def post(self, request, workspace_id: str, user_id: str):
        workspace, mine = request_workspace(request, workspace_id)
        view = people_view(workspace=workspace, viewer=mine)
        target = workspace_member_get(workspace=workspace, user_public_id=user_id, view=view)
        membership = services.member_reactivate(actor=request.user, workspace=workspace, user=target.user)
        membership.user = target.user
        return Response({"member": member_out(membership, view)})


class InvitationCollectionView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="invitations_list",
        summary="Invitations still in force (admins)",
        responses={200: s.InvitationListSerializer, **errors()},
    )
    def get(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        invitations = workspace_invitations(actor=request.user, workspace=workspace)
        return Response({"invitations": [invitation_out(i) for i in invitations]})

    @extend_schema(
        tags=TAG,
        operation_id="invitations_create",
        summary="Create an invitation: a link anyone can use, or one for a single email address (admins)",
        request=s.InvitationCreateSerializer,
        responses={201: s.InvitationOutSerializer, **errors()},
    )
    def post(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        data = validated(s.InvitationCreateSerializer, request.data)
        invitation = services.invitation_create(actor=request.user, workspace=workspace, **data)
        return Response({"invitation": invitation_out(invitation)}, status=status.HTTP_201_CREATED)


class InvitationDetailView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="invitations_revoke",
        summary="Revoke an invitation (admins)",
        request=None,
        responses={200: ok_response("The invitation no longer works."), **errors()},
    )
    def delete(self, request, workspace_id: str, invitation_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        invitation = workspace_invitation_get(actor=request.user, workspace=workspace, public_id=invitation_id)
        services.invitation_revoke(actor=request.user, invitation=invitation)
        return Response({"ok": True})


class InvitationPreviewView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="invitations_preview",
        summary="What an invitation link is for, before accepting it",
        responses={200: s.InvitationPreviewSerializer, **errors(410)},
    )
    def get(self, request, token: str):
        invitation = invitation_get(token=token)
        if invitation.email and invitation.email != request.user.email.lower():
            raise DomainError(ErrorCode.INVITATION_NOT_FOUND, "This invitation link is not valid.")
        return Response(
            {
                "workspace": invitation.workspace.public_id,
                "workspace_name": invitation.workspace.name,
                "role": invitation.role,
                "expires": int(invitation.expires_at.timestamp()),
            }
        )


class InvitationAcceptView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="invitations_accept",
        summary="Join the workspace an invitation is for (from a signed-in session)",
        request=None,
        responses={200: s.WorkspaceOutSerializer, **errors(410)},
    )
    def post(self, request, token: str):
        session_only(request, "accept invitations")
        membership = services.invitation_accept(user=request.user, token=token)
        return Response({"workspace": workspace_out(membership.workspace, membership.role)})
