"""Workspace members' real-time events: joining, a role changing to or from guest, deactivation; user groups;
settings the clients act on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from accounts.events import send_user_change
from accounts.wire import user_to_wire
from chat.events import everyone_in
from realtime.event_types import SubteamEvent, SubteamMembersChangedEvent, TeamPrefChangeEvent, UserEvent
from realtime.transport import publish, subscribe, unsubscribe, workspace_group
from workspaces.wire import usergroup_to_wire

if TYPE_CHECKING:
    from accounts.models import User
    from workspaces.models import UserGroup, Workspace


def send_team_join(workspace: Workspace, user: User, *, is_guest: bool) -> None:
    """The user joined the workspace (or was reactivated there): their open browsers act in it from now on,
    and hear its workspace-wide news unless they are a guest (who hears only their own channels)."""
    subscribe(user, [] if is_guest else [workspace_group(workspace)], workspace=workspace.public_id)
    event: UserEvent = {"type": "team_join", "user": user_to_wire(user)}
    publish([workspace_group(workspace)], event, workspace=workspace.public_id)


def send_role_changed(workspace: Workspace, user: User, *, was_guest: bool, is_guest: bool) -> None:
    """A role change to or from guest moves the user's open sockets out of or into the workspace's news;
    then everyone hears the change (user_change)."""
    if is_guest and not was_guest:
        unsubscribe(user, [workspace_group(workspace)])
    elif was_guest and not is_guest:
        subscribe(user, [workspace_group(workspace)])
    send_user_change(workspace, user)


def send_member_deactivated(workspace: Workspace, user: User, channel_groups: list[str]) -> None:
    """The member's sockets stop hearing this workspace at once, in every process: the sockets an API
    token of this workspace opened are closed (4401, account_inactive), the others keep the member's
    other workspaces. (The caller closes every socket of a user with no active workspace left.)"""
    unsubscribe(user, [workspace_group(workspace), *channel_groups], workspace=workspace.public_id)
    send_user_change(workspace, user)


def send_subteam_changed(group: UserGroup, users: Sequence[str], *, created: bool) -> None:
    """subteam_created or subteam_updated, with the group's members, to the workspace's members (guests,
    who hear only their own channels, are not told: they read groups through the API)."""
    event: SubteamEvent = {
        "type": "subteam_created" if created else "subteam_updated",
        "subteam": usergroup_to_wire(group, user_count=len(users), users=users),
    }
    publish([workspace_group(group.workspace)], event, workspace=group.workspace.public_id)


def send_subteam_members_changed(
    group: UserGroup, *, previous_update: int, added: Sequence[str], removed: Sequence[str]
) -> None:
    """Who joined and left a user group, as Slack's subteam_members_changed tells it."""
    event: SubteamMembersChangedEvent = {
        "type": "subteam_members_changed",
        "subteam_id": group.public_id,
        "team_id": group.workspace.public_id,
        "date_previous_update": previous_update,
        "date_update": int(group.updated_at.timestamp()),
        "added_users": list(added),
        "added_users_count": len(added),
        "removed_users": list(removed),
        "removed_users_count": len(removed),
    }
    publish([workspace_group(group.workspace)], event, workspace=group.workspace.public_id)


def send_read_receipts_pref_change(workspace: Workspace) -> None:
    """Read receipts were turned on or off: every client in the workspace, guests' included, shows or drops
    them at once (on: each reads the receipts of the DM it shows)."""
    event: TeamPrefChangeEvent = {"type": "team_pref_change", "name": "read_receipts", "value": workspace.read_receipts}
    publish(everyone_in(workspace), event, workspace=workspace.public_id)
