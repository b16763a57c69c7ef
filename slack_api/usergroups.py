"""usergroups.create, .list, .update, .disable, .enable, .users.list, .users.update (Slack's user groups)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from slack_api.core import Context, SlackError, method
from slackclone.errors import DomainError, ErrorCode
from workspaces import selectors, services
from workspaces.models import UserGroup
from workspaces.wire import usergroup_to_wire

READ = ("usergroups:read",)
WRITE = ("usergroups:write",)


def _slack_names(handler: Callable[[Context], dict]) -> Callable[[Context], dict]:
    """Slack answers permission_denied where our services say restricted_action (only on these methods:
    elsewhere Slack's own name is restricted_action)."""

    @wraps(handler)
    def call(ctx: Context) -> dict:
        try:
            return handler(ctx)
        except DomainError as error:
            if error.code == ErrorCode.RESTRICTED_ACTION:
                raise SlackError("permission_denied") from None
            raise

    return call


def _people_view(ctx: Context):
    from chat.selectors.people import people_view

    return people_view(workspace=ctx.workspace, viewer=ctx.membership)


def _wires(ctx: Context, groups: Sequence[UserGroup], *, include_users: bool) -> list[dict[str, Any]]:
    counts = selectors.usergroup_user_counts(groups=groups)
    users = selectors.usergroup_user_ids(groups=groups, view=_people_view(ctx)) if include_users else {}
    return [
        dict(
            usergroup_to_wire(group, user_count=counts[group.pk], users=users.get(group.pk) if include_users else None)
        )
        for group in groups
    ]


def _answer(ctx: Context, group: UserGroup, *, include_users: bool = False) -> dict:
    fresh = selectors.usergroup_get(actor=None, workspace=ctx.workspace, public_id=group.public_id)
    return {"usergroup": _wires(ctx, [fresh], include_users=include_users)[0]}


def _group_arg(ctx: Context) -> UserGroup:
    raw = ctx.args.str("usergroup", required=True)
    return selectors.usergroup_get(actor=ctx.user, workspace=ctx.workspace, public_id=raw)


def _optional_list(ctx: Context, key: str) -> list[str] | None:
    return ctx.args.list(key) if key in ctx.args.data and ctx.args.data[key] is not None else None


@method("usergroups.create", write=True, scopes=WRITE)
@_slack_names
def create(ctx: Context) -> dict:
    group = services.usergroup_create(
        actor=ctx.user,
        workspace=ctx.workspace,
        name=ctx.args.str("name", required=True),
        handle=ctx.args.str("handle"),
        description=ctx.args.str("description"),
        channels=ctx.args.list("channels"),
    )
    return _answer(ctx, group)


@method("usergroups.list", scopes=READ)
def list_(ctx: Context) -> dict:
    """Every member may list the groups; with include_users, each group's people the caller may see."""
    groups = selectors.usergroups_list(
        actor=ctx.user, workspace=ctx.workspace, include_disabled=ctx.args.bool("include_disabled")
    )
    return {"usergroups": _wires(ctx, groups, include_users=ctx.args.bool("include_users"))}


@method("usergroups.update", write=True, scopes=WRITE)
@_slack_names
def update(ctx: Context) -> dict:
    group = services.usergroup_update(
        actor=ctx.user,
        group=_group_arg(ctx),
        name=ctx.args.str("name") if "name" in ctx.args else None,
        handle=ctx.args.str("handle") if "handle" in ctx.args else None,
        description=ctx.args.str("description") if "description" in ctx.args.data else None,
        channels=_optional_list(ctx, "channels"),
    )
    return _answer(ctx, group)


@method("usergroups.disable", write=True, scopes=WRITE)
@_slack_names
def disable(ctx: Context) -> dict:
    return _answer(ctx, services.usergroup_set_enabled(actor=ctx.user, group=_group_arg(ctx), enabled=False))


@method("usergroups.enable", write=True, scopes=WRITE)
@_slack_names
def enable(ctx: Context) -> dict:
    return _answer(ctx, services.usergroup_set_enabled(actor=ctx.user, group=_group_arg(ctx), enabled=True))


@method("usergroups.users.list", scopes=READ)
def users_list(ctx: Context) -> dict:
    """The group's people the caller may see; a disabled group answers only with include_disabled."""
    group = _group_arg(ctx)
    if not group.is_enabled and not ctx.args.bool("include_disabled"):
        raise SlackError("no_such_subteam")
    return {"users": selectors.usergroup_user_ids(groups=[group], view=_people_view(ctx))[group.pk]}


@method("usergroups.users.update", write=True, scopes=WRITE)
@_slack_names
def users_update(ctx: Context) -> dict:
    users = ctx.args.list("users")
    if not users:
        raise SlackError("no_users_provided")
    group = services.usergroup_set_users(actor=ctx.user, group=_group_arg(ctx), users=users)
    return _answer(ctx, group, include_users=True)
