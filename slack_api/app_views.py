"""views.open, views.push, views.update, views.publish: an app's modals and Home tabs (slack_apps.surfaces).

Only an app's bot token can show views: a person's token has no app to show them as (not_allowed_token_type).
"""

from __future__ import annotations

from typing import Any

from slack_api.core import Context, SlackError, method
from slack_api.lookups import user_arg
from slack_apps import surfaces
from slack_apps.models import App
from slack_apps.selectors import app_of_bot
from slack_apps.view_wire import view_to_wire


def _calling_app(ctx: Context) -> App:
    app = app_of_bot(ctx.user) if ctx.user.is_bot else None
    if app is None or app.disabled_at is not None:
        raise SlackError("not_allowed_token_type")
    return app


def _view_arg(ctx: Context) -> Any:
    raw = ctx.args.data.get("view")
    if raw in (None, ""):
        raise SlackError("invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: view"]})
    return raw


@method("views.open", write=True)
def views_open(ctx: Context) -> dict:
    trigger_id = ctx.args.str("trigger_id") or ctx.args.str("interactivity_pointer")
    opened = surfaces.view_open(app=_calling_app(ctx), trigger_id=trigger_id, view=_view_arg(ctx))
    return {"view": view_to_wire(opened)}


@method("views.push", write=True)
def views_push(ctx: Context) -> dict:
    trigger_id = ctx.args.str("trigger_id") or ctx.args.str("interactivity_pointer")
    pushed = surfaces.view_push(app=_calling_app(ctx), trigger_id=trigger_id, view=_view_arg(ctx))
    return {"view": view_to_wire(pushed)}


@method("views.update", write=True)
def views_update(ctx: Context) -> dict:
    updated = surfaces.view_update(
        app=_calling_app(ctx),
        view=_view_arg(ctx),
        view_id=ctx.args.str("view_id"),
        external_id=ctx.args.str("external_id"),
        hash=ctx.args.str("hash"),
    )
    return {"view": view_to_wire(updated)}


@method("views.publish", write=True)
def views_publish(ctx: Context) -> dict:
    app = _calling_app(ctx)
    published = surfaces.view_publish(
        app=app, user=user_arg(ctx, "user_id"), view=_view_arg(ctx), hash=ctx.args.str("hash")
    )
    return {"view": view_to_wire(published)}
