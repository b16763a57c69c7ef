"""People's real-time events: a changed profile or status, to everyone who shares a workspace with them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.wire import user_to_wire
from realtime.event_types import UserEvent
from realtime.transport import publish, workspace_group

if TYPE_CHECKING:
    from accounts.models import User
    from workspaces.models import Workspace


def send_user_change(workspace: Workspace, user: User) -> None:
    event: UserEvent = {"type": "user_change", "user": user_to_wire(user)}
    publish([workspace_group(workspace)], event, workspace=workspace.public_id)
