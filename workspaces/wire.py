"""A user group in Slack's shape: the one builder the Web API, the REST API and the subteam events use."""

from __future__ import annotations

from collections.abc import Sequence

from realtime.event_types import UsergroupWire
from workspaces.models import UserGroup


def _seconds(moment) -> int:
    return int(moment.timestamp()) if moment else 0


def usergroup_to_wire(group: UserGroup, *, user_count: int, users: Sequence[str] | None = None) -> UsergroupWire:
    """Slack's usergroup object. The caller loads created_by, updated_by and disabled_by with the group;
    `users` (public ids) only where the reader asked for them and may see them."""
    wire: UsergroupWire = {
        "id": group.public_id,
        "team_id": group.workspace.public_id,
        "is_usergroup": True,
        "is_subteam": True,
        "name": group.name,
        "description": group.description,
        "handle": group.handle,
        "is_external": False,
        "date_create": _seconds(group.created_at),
        "date_update": _seconds(group.updated_at),
        "date_delete": _seconds(group.disabled_at),
        "auto_type": None,
        "created_by": group.created_by.public_id if group.created_by else None,
        "updated_by": group.updated_by.public_id if group.updated_by else None,
        "deleted_by": group.disabled_by.public_id if group.disabled_by else None,
        "prefs": {"channels": list(group.default_channels), "groups": []},
        "user_count": user_count,
    }
    if users is not None:
        wire["users"] = list(users)
    return wire
