"""Workspace members' real-time events: joining, a role changing to or from guest, deactivation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.events import send_user_change
from accounts.wire import user_to_wire
from realtime.event_types import UserEvent
from realtime.transport import publish, subscribe, unsubscribe, workspace_group

if TYPE_CHECKING:
    from accounts.models import User
    from workspaces.models import Workspace


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
