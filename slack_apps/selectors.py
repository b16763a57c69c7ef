"""Reading a workspace's apps: for its admins, and for the Web API and deliveries by token."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from accounts.models import hash_token
from slack_apps.models import App, AppEvent, AppToken
from slackclone.errors import DomainError, ErrorCode
from workspaces.permissions import access_workspace_admin

if TYPE_CHECKING:
    from accounts.models import User
    from workspaces.models import Workspace


def workspace_apps(*, actor: User | None, workspace: Workspace) -> QuerySet[App]:
    """The workspace's apps, with their bot users and commands. Callers: its owners and admins; the operator."""
    access_workspace_admin(actor, workspace)
    return (
        App.objects.filter(workspace=workspace).select_related("bot_user").prefetch_related("commands").order_by("name")
    )


def app_get(*, actor: User | None, workspace: Workspace, public_id: str) -> App:
    """One app of the workspace. Callers: its owners and admins; the operator. Raises app_not_found."""
    access_workspace_admin(actor, workspace)
    app = (
        App.objects.filter(workspace=workspace, public_id=public_id).select_related("bot_user", "workspace").first()
        if isinstance(public_id, str)
        else None
    )
    if app is None:
        raise DomainError(ErrorCode.APP_NOT_FOUND, "App not found.")
    return app


def app_for_app_token(raw: str) -> App:
    """The enabled app a live app-level token (xapp-…) belongs to. Raises invalid_auth."""
    token = (
        AppToken.objects.filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .select_related("app__workspace", "app__bot_user")
        .first()
        if isinstance(raw, str) and raw.startswith("xapp-")
        else None
    )
    if token is None or token.app.disabled_at is not None:
        raise DomainError(ErrorCode.INVALID_AUTH, "Invalid or revoked app-level token.")
    return token.app


def app_of_bot(bot: User) -> App | None:
    """The app whose bot user this is, if any."""
    return App.objects.filter(bot_user=bot).select_related("workspace").first()


def app_event_backlog(*, now: datetime | None = None) -> tuple[int, float]:
    """Events API outbox rows not yet dispatched, and the age in seconds of the oldest (0 when none): what the
    metrics report as this outbox's backlog. Reads the partial index of undispatched rows only."""
    now = now or timezone.now()
    row = AppEvent.objects.filter(dispatched_at=None).aggregate(count=Count("pk"), oldest=Min("created_at"))
    oldest = row["oldest"]
    return row["count"], (now - oldest).total_seconds() if oldest is not None else 0.0
