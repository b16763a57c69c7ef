"""The browser's side of interactivity: a click in an app's message, the shortcuts menu, running a shortcut
(slack_apps.interactivity). A click inside a modal is the views' (slack_apps.views)."""

from __future__ import annotations

import dataclasses
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from accounts.api.authentication import token_workspace
from chat.api.context import request_channel
from slack_apps.api import serializers as s
from slack_apps.interactivity import MessageContainer, block_action_send, shortcut_send, shortcuts_available
from slack_apps.models import App
from slack_apps.submissions import app_home, app_home_opened, view_action_send, view_close, view_submit
from slack_apps.view_wire import view_to_wire
from slackclone.api.schema import errors, ok_response
from slackclone.api.views import ApiView, validated
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Workspace
from workspaces.selectors import workspace_get

TAG = ["interactivity"]


def _workspace_named(request, name: str) -> Workspace:
    """A workspace by id (T…) or slug, among the requester's (workspace_not_found otherwise)."""
    found = Workspace.objects.filter(slug=name).only("public_id").first() if not name.startswith("T") else None
    workspace, _membership = workspace_get(
        actor=request.user, public_id=found.public_id if found else name, within=token_workspace(request)
    )
    return workspace


def _workspace_of_app(request, app_id: str) -> Workspace:
    """The workspace of an app the requester shares it with; app_not_found for any other app."""
    app = App.objects.filter(public_id=app_id).select_related("workspace").first()
    try:
        if app is None:
            raise DomainError(ErrorCode.WORKSPACE_NOT_FOUND, "")
        return _workspace_named(request, app.workspace.public_id)
    except DomainError as error:
        if error.code == ErrorCode.WORKSPACE_NOT_FOUND:
            raise DomainError(ErrorCode.APP_NOT_FOUND, "No such shortcut in this workspace.") from None
        raise


class BlockActionView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="interactions_block_action",
        summary="A click or a choice in an app's message: sent to the app as block_actions",
        description="Answers once the app acknowledged it (within 3 seconds); app_did_not_respond (504) "
        "when it did not, and nothing changed.",
        request=s.BlockActionSerializer,
        responses={200: ok_response("The app acknowledged it."), **errors(504)},
    )
    def post(self, request):
        data = validated(s.BlockActionSerializer, request.data)
        container = data["container"]
        if container["type"] == "view":
            if not container.get("view_id"):
                raise DomainError(
                    ErrorCode.INVALID_ARGUMENTS, "A view container has a view_id.", fields={"container": "invalid"}
                )
            view_action_send(
                actor=request.user, view_id=container["view_id"], action=data["action"], state=data["state"]
            )
            return Response({"ok": True})
        if not container.get("channel") or not container.get("message_ts"):
            raise DomainError(
                ErrorCode.INVALID_ARGUMENTS, "A message container has a channel and a message_ts.",
                fields={"container": "invalid"},
            )  # fmt: skip
        channel = request_channel(request, container["channel"])
        block_action_send(
            actor=request.user,
            workspace=channel.workspace,
            container=MessageContainer(
                channel_id=channel.public_id,
                message_ts=container["message_ts"],
                is_ephemeral=container["is_ephemeral"],
                bot_id=container.get("bot_id", ""),
            ),
            action=data["action"],
            state=data["state"],
        )
        return Response({"ok": True})


class ShortcutListView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="interactions_shortcuts",
        summary="The shortcuts of a workspace's apps: global ones for the composer, message ones for messages",
        parameters=[s.ShortcutListQuerySerializer],
        responses={200: s.ShortcutListSerializer, **errors()},
    )
    def get(self, request):
        query = validated(s.ShortcutListQuerySerializer, request.query_params)
        workspace = _workspace_named(request, query["workspace"])
        listing = shortcuts_available(actor=request.user, workspace=workspace)
        return Response({"shortcuts": [dataclasses.asdict(entry) for entry in listing]})


class ShortcutRunView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="interactions_shortcut_run",
        summary="Run an app's shortcut: sent to the app as shortcut or message_action, with a trigger_id",
        request=s.ShortcutRunSerializer,
        responses={200: ok_response("The app acknowledged it."), **errors(504)},
    )
    def post(self, request):
        data = validated(s.ShortcutRunSerializer, request.data)
        workspace = _workspace_of_app(request, data["app_id"])
        shortcut_send(
            actor=request.user,
            workspace=workspace,
            app_id=data["app_id"],
            callback_id=data["callback_id"],
            kind=data["type"],
            channel_id=data.get("channel", ""),
            message_ts=data.get("message_ts", ""),
        )
        return Response({"ok": True})


class ViewSubmissionView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="interactions_view_submission",
        summary="Submit a modal: the app's answer says what the modal does next",
        description="response_action null or clear: close the modal; errors: show them beside their inputs; "
        "update or push: show `view`. app_did_not_respond (504) when the app did not answer in 3 seconds.",
        request=s.ViewSubmissionSerializer,
        responses={200: ok_response("What the modal does next."), **errors(504)},
    )
    def post(self, request):
        data = validated(s.ViewSubmissionSerializer, request.data)
        result = view_submit(actor=request.user, view_id=data["view_id"], state=data["state"])
        body: dict[str, Any] = {"ok": True, "response_action": result.response_action}
        if result.errors:
            body["errors"] = result.errors
        if result.view is not None:
            body["view"] = result.view
        return Response(body)


class ViewClosedView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="interactions_view_closed",
        summary="Close a modal (its stack with clear_on_close); the app hears of it with notify_on_close",
        request=s.ViewClosedSerializer,
        responses={200: ok_response("Closed."), **errors()},
    )
    def post(self, request):
        data = validated(s.ViewClosedSerializer, request.data)
        view_close(actor=request.user, view_id=data["view_id"], clear=data["clear"])
        return Response({"ok": True})


def _home_out(home) -> dict:
    app = home.app
    return {
        "app": {"id": app.public_id, "name": app.name, "bot_user": app.bot_user.public_id},
        "dm_channel": home.dm_channel.public_id if home.dm_channel else None,
        "view": view_to_wire(home.view) if home.view else None,
    }


class AppHomeView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="apps_home",
        summary="An app's Home for you: the Home tab it published for you, and your DM with its bot",
        responses={200: ok_response("The app, dm_channel and view."), **errors()},
    )
    def get(self, request, app_id: str):
        _workspace_of_app(request, app_id)
        return Response(_home_out(app_home(actor=request.user, app_id=app_id)))


class AppHomeOpenedView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="apps_home_opened",
        summary="You opened the app's Home or Messages tab: the app hears app_home_opened",
        request=s.HomeOpenedSerializer,
        responses={200: ok_response("The app, dm_channel and view."), **errors()},
    )
    def post(self, request, app_id: str):
        _workspace_of_app(request, app_id)
        data = validated(s.HomeOpenedSerializer, request.data)
        return Response({"ok": True, **_home_out(app_home_opened(actor=request.user, app_id=app_id, tab=data["tab"]))})


class AppHomeByBotView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="apps_home_by_bot",
        summary="The Home of the app whose bot this is (a DM with it shows its Home tab)",
        parameters=[s.HomeQuerySerializer],
        responses={200: ok_response("The app, dm_channel and view."), **errors()},
    )
    def get(self, request):
        query = validated(s.HomeQuerySerializer, request.query_params)
        app = App.objects.filter(bot_user__public_id=query["bot"]).only("public_id").first()
        if app is None:
            raise DomainError(ErrorCode.APP_NOT_FOUND, "That bot is no app's.")
        _workspace_of_app(request, app.public_id)
        return Response(_home_out(app_home(actor=request.user, app_id=app.public_id)))
