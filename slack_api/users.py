"""users.list, users.info, users.lookupByEmail, users.conversations, users.profile.get/set, users.get/setPresence."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from accounts.wire import user_to_wire
from slack_api.conversations import visible_channels_page
from slack_api.core import READ_SCOPES, Context, SlackError, method, paged
from slack_api.lookups import types_arg, user_arg
from slackclone import jsonlimits
from slackclone.api.pagination import encode_cursor

USERS_MAX_LIMIT = 1000


def user_wire(user, membership=None, *, view=None) -> dict:
    """user_to_wire, with the workspace's view of the person (deactivated here, admin, guest) when known;
    the email address where `view` (workspaces.selectors.PeopleView) shows it."""
    wire: dict[str, Any] = dict(user_to_wire(user, email=view is not None and view.shows_email(user)))
    if membership is not None:
        wire["team_id"] = membership.workspace.public_id
        wire["deleted"] = not (user.is_active and membership.is_active)
        wire["is_admin"] = membership.is_admin
        wire["is_owner"] = membership.role == "owner"
        wire["is_restricted"] = membership.is_guest
    return wire


def _view(ctx: Context):
    from chat.selectors.people import people_view

    return people_view(workspace=ctx.workspace, viewer=ctx.membership)


@method("users.list", scopes=("users:read",))
def list_(ctx: Context) -> dict:
    """The people the caller may see (a guest: those they share a channel or DM with)."""
    from workspaces.selectors import workspace_members

    limit = ctx.args.limit(200, USERS_MAX_LIMIT)
    cursor = ctx.args.cursor()
    view = _view(ctx)
    rows = workspace_members(workspace=ctx.workspace, after=cursor[0] if cursor else None, limit=limit + 1, view=view)
    more = len(rows) > limit
    rows = rows[:limit]
    for membership in rows:
        membership.workspace = ctx.workspace
    body = {"members": [user_wire(membership.user, membership, view=view) for membership in rows]}
    return paged(body, encode_cursor(rows[-1].user.public_id) if more and rows else None)


@method("users.info", scopes=("users:read",))
def info(ctx: Context) -> dict:
    from workspaces.selectors import workspace_member_get

    view = _view(ctx)
    membership = workspace_member_get(workspace=ctx.workspace, user_public_id=ctx.args.str("user") or "-", view=view)
    return {"user": user_wire(membership.user, membership, view=view)}


@method("users.lookupByEmail", scopes=("users:read.email",))
def lookup_by_email(ctx: Context) -> dict:
    """Only someone whose address the caller may see: anyone else answers as no one does (users_not_found)."""
    email = ctx.args.str("email").strip()
    view = _view(ctx)
    membership = view.members().filter(user__email__iexact=email).first() if email else None
    if membership is None or not view.shows_email(membership.user):
        raise SlackError("users_not_found")
    membership.workspace = ctx.workspace
    return {"user": user_wire(membership.user, membership, view=view)}


def _visible_user_arg(ctx: Context):
    """`user` (you by default), among the people you may see: user_not_found for anyone else."""
    from workspaces.selectors import workspace_member_get

    raw = ctx.args.str("user")
    if not raw:
        return ctx.user
    return workspace_member_get(workspace=ctx.workspace, user_public_id=raw, view=_view(ctx)).user


@method("users.conversations", scopes=READ_SCOPES)
def conversations(ctx: Context) -> dict:
    """The channels `user` (you by default) is in, among those you may see."""
    user = _visible_user_arg(ctx)
    return visible_channels_page(
        ctx,
        types_arg(ctx),
        exclude_archived=ctx.args.bool("exclude_archived"),
        limit=ctx.args.limit(100, 1000),
        member_only_of=user,
    )


@method("users.profile.get", scopes=("users.profile:read",))
def profile_get(ctx: Context) -> dict:
    user = _visible_user_arg(ctx)
    return {"profile": user_to_wire(user, email=_view(ctx).shows_email(user))["profile"]}


# Slack's profile fields and ours (accounts.services.user_update_profile).
PROFILE_FIELDS = {"real_name": "full_name", "display_name": "display_name", "title": "title"}
STATUS_FIELDS = ("status_text", "status_emoji", "status_expiration")


def _profile_changes(ctx: Context) -> dict:
    """Slack sends `profile` (a JSON object, or its JSON text in a form), or one `name` and `value`."""
    raw = ctx.args.data.get("profile")
    if isinstance(raw, str) and raw:
        try:
            raw = jsonlimits.loads(raw)
        except ValueError:
            raise SlackError("invalid_profile") from None
    if raw is not None and not isinstance(raw, dict):
        raise SlackError("invalid_profile")
    changes = dict(raw or {})
    if "name" in ctx.args:
        changes[ctx.args.str("name")] = ctx.args.str("value")
    return changes


@method("users.profile.set", write=True, scopes=("users.profile:write",))
def profile_set(ctx: Context) -> dict:
    """Set your own real_name, display_name, title and status (status_text, status_emoji, status_expiration)."""
    from accounts.services import user_set_status, user_update_profile

    user = user_arg(ctx, default_self=True)
    if user.pk != ctx.user.pk:
        raise SlackError("cannot_update_admin_user" if ctx.membership.is_admin else "not_allowed_token_type")
    changes = _profile_changes(ctx)
    unknown = set(changes) - set(PROFILE_FIELDS) - set(STATUS_FIELDS)
    if not changes or unknown:
        raise SlackError("invalid_profile")
    fields = {ours: str(changes[theirs] or "") for theirs, ours in PROFILE_FIELDS.items() if theirs in changes}
    if fields:
        user = user_update_profile(actor=ctx.user, user=ctx.user, **fields)
    if any(field in changes for field in STATUS_FIELDS):
        current_emoji, current_text = user.current_status()
        expiration = changes.get("status_expiration")
        try:
            expires_at = datetime.fromtimestamp(int(expiration), tz=UTC) if expiration else None
        except (TypeError, ValueError, OverflowError):
            raise SlackError("invalid_profile") from None
        user = user_set_status(
            actor=ctx.user,
            emoji=str(changes.get("status_emoji", current_emoji) or ""),
            text=str(changes.get("status_text", current_text) or ""),
            expires_at=expires_at,
        )
    return {"profile": user_to_wire(user, email=True)["profile"]}


@method("users.getPresence", scopes=("users:read",))
def get_presence(ctx: Context) -> dict:
    """`active` while the user has a live socket anywhere (realtime's shared presence), else `away`."""
    from realtime.store import online_user_ids

    user = _visible_user_arg(ctx)
    online = online_user_ids([user.public_id]) or set()
    presence = "active" if user.public_id in online else "away"
    body: dict = {"presence": presence}
    if user.pk == ctx.user.pk:
        body.update(online=presence == "active", auto_away=False, manual_away=False)
    return body


@method("users.setPresence", write=True, scopes=("users:write",))
def set_presence(ctx: Context) -> dict:
    """Accepts `auto` or `away`. Presence here follows live sockets; a manual `away` is not stored yet."""
    if ctx.args.str("presence") not in ("auto", "away"):
        raise SlackError("invalid_presence")
    return {}
