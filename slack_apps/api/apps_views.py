"""A workspace's apps over the REST API (its owners and admins): list, create (from a manifest or a few
options; the credentials are answered once), change URLs, enable or disable, rotate a secret, delete."""

from __future__ import annotations

import dataclasses
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from slack_apps import selectors, services
from slack_apps.api import serializers as s
from slack_apps.manifest import parse_manifest, spec_from_options
from slack_apps.models import App
from slackclone.api.schema import errors, ok_response
from slackclone.api.views import ApiView, validated
from slackclone.errors import DomainError, ErrorCode
from workspaces.api.context import request_workspace

TAG = ["apps"]


def _stamp(value) -> int | None:
    return int(value.timestamp()) if value else None


def app_out(app: App) -> dict[str, Any]:
    return {
        "id": app.public_id,
        "name": app.name,
        "description": app.description,
        "bot_user": app.bot_user.public_id,
        "scopes": app.scopes,
        "bot_events": app.bot_events,
        "socket_mode": app.socket_mode,
        "request_url": app.request_url,
        "interactivity_url": app.interactivity_url,
        "commands": [
            {"command": c.command, "url": c.url, "description": c.description, "usage_hint": c.usage_hint}
            for c in app.commands.all()
        ],
        "created": int(app.created_at.timestamp()),
        "disabled": _stamp(app.disabled_at),
        "request_url_disabled": _stamp(app.request_url_disabled_at),
    }


class AppCollectionView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="apps_list",
        summary="The workspace's apps (owners and admins)",
        responses={200: s.AppListSerializer, **errors()},
    )
    def get(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        apps = selectors.workspace_apps(actor=request.user, workspace=workspace)
        return Response({"apps": [app_out(app) for app in apps]})

    @extend_schema(
        tags=TAG,
        operation_id="apps_create",
        summary="Create an app from a Slack app manifest, or from a name and options",
        request=s.AppCreateSerializer,
        responses={201: s.AppCreatedSerializer, **errors(409)},
    )
    def post(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        data = validated(s.AppCreateSerializer, request.data)
        if data.get("manifest"):
            spec = parse_manifest(data["manifest"], name=data.get("name"))
        elif data.get("name"):
            spec = spec_from_options(
                name=data["name"], socket_mode=data["socket_mode"], commands=data["commands"], events=data["events"]
            )
        else:
            raise DomainError(
                ErrorCode.INVALID_ARGUMENTS, "Give a manifest, or a name.", fields={"manifest": "required"}
            )
        app, credentials = services.app_create(actor=request.user, workspace=workspace, spec=spec)
        body = {"app": app_out(app), "credentials": dataclasses.asdict(credentials)}
        return Response(body, status=status.HTTP_201_CREATED)


def request_app(request, workspace_id: str, app_id: str) -> App:
    """The app named in the URL, of the workspace named there, for one of its owners or admins."""
    workspace, _ = request_workspace(request, workspace_id)
    return selectors.app_get(actor=request.user, workspace=workspace, public_id=app_id)


class AppDetailView(ApiView):
    @extend_schema(tags=TAG, operation_id="apps_get", summary="One app", responses={200: s.AppSerializer, **errors()})
    def get(self, request, workspace_id: str, app_id: str):
        return Response(app_out(request_app(request, workspace_id, app_id)))

    @extend_schema(
        tags=TAG,
        operation_id="apps_update",
        summary="Enable or disable an app, or set its URLs (a new request URL must pass url_verification)",
        request=s.AppUpdateSerializer,
        responses={200: s.AppSerializer, **errors()},
    )
    def patch(self, request, workspace_id: str, app_id: str):
        app = request_app(request, workspace_id, app_id)
        data = validated(s.AppUpdateSerializer, request.data)
        if "request_url" in data or "interactivity_url" in data:
            app = services.app_set_urls(
                actor=request.user,
                app=app,
                request_url=data.get("request_url"),
                interactivity_url=data.get("interactivity_url"),
            )
        if "enabled" in data:
            app = services.app_set_enabled(actor=request.user, app=app, enabled=data["enabled"])
        return Response(app_out(App.objects.select_related("bot_user").get(pk=app.pk)))

    @extend_schema(
        tags=TAG,
        operation_id="apps_delete",
        summary="Delete an app: its tokens stop at once; its bot stays, deactivated, as its messages' author",
        request=None,
        responses={200: ok_response("Deleted."), **errors()},
    )
    def delete(self, request, workspace_id: str, app_id: str):
        services.app_delete(actor=request.user, app=request_app(request, workspace_id, app_id))
        return Response({"ok": True})


class AppRotateView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="apps_rotate",
        summary="Replace one of an app's secrets; the old one stops working at once",
        request=s.AppRotateSerializer,
        responses={200: s.AppSecretSerializer, **errors()},
    )
    def post(self, request, workspace_id: str, app_id: str):
        app = request_app(request, workspace_id, app_id)
        data = validated(s.AppRotateSerializer, request.data)
        return Response({"secret": services.app_rotate(actor=request.user, app=app, secret=data["secret"])})
