"""Who may see and change a workspace's directory: its owners (and the operator, actor None). The bind password
opens the company's directory, so admins, members and guests may not; another workspace's people see nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Membership, Role, Workspace
from workspaces.permissions import access_membership

if TYPE_CHECKING:
    from accounts.models import User


def access_directory_owner(actor: User | None, workspace: Workspace) -> Membership | None:
    """The owner's membership (None for the operator). Raises workspace_not_found (not a member: 404),
    account_inactive, restricted_action (not an owner: 403)."""
    if actor is None:
        return None
    membership = access_membership(actor, workspace)
    if membership.role != Role.OWNER:
        raise DomainError(ErrorCode.RESTRICTED_ACTION, "Only workspace owners can configure the directory.")
    return membership
