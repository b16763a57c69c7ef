"""Whether a workspace shows read receipts in its small DMs (chat.selectors.read_receipts)."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from slackclone.errors import DomainError, ErrorCode
from workspaces import events as workspace_events
from workspaces.models import Workspace
from workspaces.permissions import access_workspace_admin


@transaction.atomic
def workspace_set_read_receipts(*, actor: User | None, workspace: Workspace, enabled: bool) -> Workspace:
    """Turn read receipts on or off for the workspace: "Seen by …" under the last message of DMs and group
    DMs of up to ten people, for those who send theirs. Off by default: people in a workspace that never
    had them should not start being watched without their owners choosing it.

    Callers: workspace owners and admins; the operator.
    Raises: restricted_action, invalid_arguments (not true or false).
    Events: team_pref_change (read_receipts) to everyone in the workspace, guests included.
    """
    access_workspace_admin(actor, workspace)
    if not isinstance(enabled, bool):
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS, "read_receipts is true or false.", fields={"read_receipts": "invalid"}
        )
    if workspace.read_receipts != enabled:
        workspace.read_receipts = enabled
        workspace.save(update_fields=["read_receipts"])
        workspace_events.send_read_receipts_pref_change(workspace)
    return workspace
