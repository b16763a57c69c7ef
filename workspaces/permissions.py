"""Who may do what in a workspace. Services call these; nothing else decides.

`actor=None` is the operator at the command line (management commands), who is trusted.
The `access_*` functions fetch and check; `check_*` functions only check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, overload

from slackclone.errors import DomainError, ErrorCode
from slackclone.orm import unique_or_none
from workspaces.models import Membership, Role, UserGroup, Workspace

if TYPE_CHECKING:
    from accounts.models import User


def access_membership(actor: User, workspace: Workspace) -> Membership:
    """The actor's active membership; a workspace you are not in does not exist for you."""
    if not actor.is_active:
        raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "This account has been deactivated.")
    return check_membership(actor, unique_or_none(Membership.objects.filter(user=actor, workspace=workspace)))


def check_membership(actor: User, membership: Membership | None) -> Membership:
    """access_membership's rules, for a caller that read the actor's membership (None: they have none) in its
    own query. Raises account_inactive or workspace_not_found."""
    if not actor.is_active:
        raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "This account has been deactivated.")
    if membership is None:
        raise DomainError(ErrorCode.WORKSPACE_NOT_FOUND, "Workspace not found.")
    check_membership_standing(user_is_active=actor.is_active, membership_is_active=membership.is_active)
    return membership


def check_membership_standing(*, user_is_active: bool, membership_is_active: bool | None) -> None:
    """access_membership's rules, for a caller that read both flags in its own query
    (membership_is_active None: no membership at all). Raises account_inactive or workspace_not_found."""
    if not user_is_active:
        raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "This account has been deactivated.")
    if membership_is_active is None:
        raise DomainError(ErrorCode.WORKSPACE_NOT_FOUND, "Workspace not found.")
    if not membership_is_active:
        raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "Your account in this workspace has been deactivated.")


@overload
def access_workspace_admin(actor: User, workspace: Workspace) -> Membership: ...
@overload
def access_workspace_admin(actor: User | None, workspace: Workspace) -> Membership | None: ...
def access_workspace_admin(actor: User | None, workspace: Workspace) -> Membership | None:
    """Owners and admins (or the operator) manage members, roles and invitations."""
    if actor is None:
        return None
    membership = access_membership(actor, workspace)
    if not membership.is_admin:
        raise DomainError(ErrorCode.RESTRICTED_ACTION, "Only workspace owners and admins can do that.")
    return membership


@overload
def access_workspace_owner(actor: User, workspace: Workspace) -> Membership: ...
@overload
def access_workspace_owner(actor: User | None, workspace: Workspace) -> Membership | None: ...
def access_workspace_owner(actor: User | None, workspace: Workspace) -> Membership | None:
    """Only owners (or the operator) decide how people sign in (single sign-on, directories, policies), read
    the audit log and decide how long it is kept: it records what the admins did too. A workspace you are not
    in does not exist for you (workspace_not_found); admins and below get restricted_action."""
    if actor is None:
        return None
    membership = access_membership(actor, workspace)
    if membership.role != Role.OWNER:
        raise DomainError(ErrorCode.RESTRICTED_ACTION, "Only workspace owners can do that.")
    return membership


def check_email_verified(user: User, message: str) -> None:
    """Refuse what would trust a person's address before they proved it: joining a workspace, being
    added to one, creating one (email_unverified, with `message`). Bots have no mailbox and need none."""
    if not user.is_bot and user.email_verified_at is None:
        raise DomainError(ErrorCode.EMAIL_UNVERIFIED, message)


def check_not_guest(membership: Membership | None, action: str) -> None:
    if membership is not None and membership.is_guest:
        raise DomainError(ErrorCode.RESTRICTED_ACTION, "Guests cannot %(action)s.", params={"action": action})


def check_can_change_role(actor_membership: Membership | None, target: Membership, new_role: str) -> None:
    """Admins manage members and guests; only owners make or unmake owners and admins."""
    if actor_membership is None:
        return
    touches_admins = target.is_admin or new_role in ("owner", "admin")
    if touches_admins and actor_membership.role != "owner":
        raise DomainError(
            ErrorCode.RESTRICTED_ACTION, "Only workspace owners can change the roles of owners and admins."
        )


def check_can_manage_usergroups(membership: Membership | None, workspace: Workspace) -> None:
    """Owners and admins create and change user groups; members too where the workspace allows it
    (Workspace.usergroups_by_members); guests never. `membership` None is the operator."""
    if membership is None or membership.is_admin:
        return
    if membership.is_guest or not workspace.usergroups_by_members:
        raise DomainError(
            ErrorCode.RESTRICTED_ACTION, "Only workspace owners and admins can create and change user groups here."
        )


def access_usergroup(workspace: Workspace, public_id: str) -> UserGroup:
    """One of the workspace's user groups, enabled or not; another workspace's is no_such_subteam."""
    group = (
        UserGroup.objects.select_related("workspace").filter(workspace=workspace, public_id=public_id).first()
        if isinstance(public_id, str)
        else None
    )
    if group is None:
        raise DomainError(ErrorCode.USERGROUP_NOT_FOUND, "No such user group.")
    return group
