"""Reads of workspaces, their people and invitations, each limited to what the reader may see."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import cache
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Count, F, QuerySet
from django.utils import timezone

from slackclone.errors import DomainError, ErrorCode
from slackclone.rawsql import Columns, split_row
from workspaces.models import Invitation, Membership, UserGroup, UserGroupMember, Workspace
from workspaces.permissions import access_membership, access_usergroup, access_workspace_admin, check_membership

if TYPE_CHECKING:
    from accounts.models import User
    from chat.selectors.people import PeopleView


def _workspace_not_found() -> DomainError:
    return DomainError(ErrorCode.WORKSPACE_NOT_FOUND, "Workspace not found.")


_WORKSPACE = Columns(Workspace, "w")
_MEMBERSHIP = Columns(Membership, "m")


@cache
def _workspace_with_membership_sql() -> str:
    return f"""
        SELECT {_WORKSPACE.sql}, {_MEMBERSHIP.sql}
        FROM {Workspace._meta.db_table} w
        LEFT JOIN {Membership._meta.db_table} m ON m.workspace_id = w.id AND m.user_id = %s
        WHERE w.public_id = %s
    """


def workspace_get(*, actor: User, public_id: str, within: Workspace | None = None) -> tuple[Workspace, Membership]:
    """The workspace and the actor's active membership in it.

    Every workspace-scoped API call starts here, so it is one SQL statement (slackclone.rawsql): the
    workspace and the actor's membership, judged by workspaces.permissions.check_membership.
    `within` (an API token's workspace) hides every other workspace: workspace_not_found.
    Raises: workspace_not_found, account_inactive.
    """
    if (within is not None and within.public_id != public_id) or not isinstance(public_id, str):
        raise _workspace_not_found()
    with connection.cursor() as cursor:
        cursor.execute(_workspace_with_membership_sql(), [actor.pk, public_id])
        row = cursor.fetchone()
    if row is None:
        raise _workspace_not_found()
    workspace, membership = split_row(row, _WORKSPACE, _MEMBERSHIP)
    check_membership(actor, membership)
    membership.workspace, membership.user = workspace, actor
    return workspace, membership


def user_workspaces(*, user: User, within: Workspace | None = None) -> QuerySet[Membership]:
    """The user's active memberships, oldest first, with their workspaces."""
    memberships = Membership.objects.filter(user=user, is_active=True).select_related("workspace")
    if within is not None:
        memberships = memberships.filter(workspace=within)
    return memberships.order_by("joined_at", "workspace__public_id")


def workspace_members(
    *,
    workspace: Workspace,
    after: str | None = None,
    limit: int = 100,
    include_inactive: bool = True,
    view: PeopleView | None = None,
) -> list[Membership]:
    """A page of the workspace's members by user public id (keyset), deactivated ones included by default;
    with `view`, only those its reader may see."""
    memberships = view.members() if view is not None else Membership.objects.filter(workspace=workspace)
    memberships = memberships.select_related("user")
    if not include_inactive:
        memberships = memberships.filter(is_active=True)
    if after:
        memberships = memberships.filter(user__public_id__gt=after)
    return list(memberships.order_by("user__public_id")[:limit])


def workspace_member_get(*, workspace: Workspace, user_public_id: str, view: PeopleView | None = None) -> Membership:
    """One member (active or not) of a workspace the caller has been allowed to see; with `view`, one its
    reader may see. Raises user_not_found (the same for someone hidden as for no one)."""
    memberships = view.members() if view is not None else Membership.objects.filter(workspace=workspace)
    membership = (
        memberships.select_related("user", "workspace").filter(user__public_id=user_public_id).first()
        if isinstance(user_public_id, str)
        else None
    )
    if membership is None:
        raise DomainError(ErrorCode.USER_NOT_FOUND, "User not found.")
    return membership


def workspace_invitations(*, actor: User | None, workspace: Workspace) -> QuerySet[Invitation]:
    """Invitations still usable, newest first. Only admins see them (they carry the joining links)."""
    access_workspace_admin(actor, workspace)
    return (
        Invitation.objects.filter(workspace=workspace, revoked_at__isnull=True)
        .select_related("workspace", "inviter")
        .order_by("-created_at", "token")
    )


def workspace_invitation_get(*, actor: User | None, workspace: Workspace, public_id: str) -> Invitation:
    """One of the workspace's invitations by public id, for its admins. Raises invitation_not_found."""
    access_workspace_admin(actor, workspace)
    invitation = (
        Invitation.objects.select_related("workspace").filter(workspace=workspace, public_id=public_id).first()
        if isinstance(public_id, str)
        else None
    )
    if invitation is None:
        raise DomainError(ErrorCode.INVITATION_NOT_FOUND, "No such invitation.")
    return invitation


def invitation_get(*, token: str) -> Invitation:
    """The invitation for a joining link; invitation_not_found for unknown or revoked ones."""
    invitation = (
        Invitation.objects.select_related("workspace", "inviter").filter(token=token, revoked_at__isnull=True).first()
        if isinstance(token, str)
        else None
    )
    if invitation is None:
        raise DomainError(ErrorCode.INVITATION_NOT_FOUND, "This invitation link is not valid.")
    return invitation


def live_invitations_addressed_to(*, email: str) -> list[Invitation]:
    """Invitations addressed to `email` that still work, newest first."""
    invitations = (
        Invitation.objects.filter(email=email.lower(), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("workspace", "inviter")
        .order_by("-created_at")
    )
    return [invitation for invitation in invitations if not invitation.is_used_up]


def pending_invitations_for(*, user: User) -> list[Invitation]:
    """Invitations addressed to the user's email that still work, to workspaces they are not in yet.

    Only once the user has proved the address: until then these are someone else's invitations
    (their links are secrets meant for that mailbox).
    """
    if not user.email_verified:
        return []
    joined = set(Membership.objects.filter(user=user).values_list("workspace_id", flat=True))
    return [i for i in live_invitations_addressed_to(email=user.email) if i.workspace_id not in joined]


def invitation_account_state(*, invitation: Invitation) -> str:
    """What an emailed invitation's link offers a signed-out visitor (who holds the link, so owns the
    address): "new" (no account: create one here), "claim" (an import's account nobody has claimed
    yet: choose a password to take it) or "existing" (sign in). A link for anyone is always "existing"
    or sign-up by mail, so this is only asked of addressed invitations."""
    from accounts.models import User
    from accounts.signup import is_unclaimed_placeholder

    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        return "new"
    return "claim" if is_unclaimed_placeholder(user) else "existing"


def active_member_ids(*, workspace: Workspace) -> list[str]:
    """The public ids of the workspace's active members (for presence, which is kept by public id)."""
    return list(
        Membership.objects.filter(workspace=workspace, is_active=True).values_list("user__public_id", flat=True)
    )


# --- User groups ------------------------------------------------------------------------------


def usergroups_list(*, actor: User | None, workspace: Workspace, include_disabled: bool = False) -> list[UserGroup]:
    """The workspace's user groups by handle, enabled ones only unless `include_disabled`. Every member,
    guests included, may list them: a handle is something people type. Raises as access_membership."""
    if actor is not None:
        access_membership(actor, workspace)
    groups = UserGroup.objects.filter(workspace=workspace).select_related(
        "workspace", "created_by", "updated_by", "disabled_by"
    )
    if not include_disabled:
        groups = groups.filter(disabled_at__isnull=True)
    return list(groups.order_by("handle"))


def usergroup_get(*, actor: User | None, workspace: Workspace, public_id: str) -> UserGroup:
    """One of the workspace's user groups, enabled or not. Raises no_such_subteam, and as access_membership."""
    if actor is not None:
        access_membership(actor, workspace)
    group = access_usergroup(workspace, public_id)
    return UserGroup.objects.select_related("workspace", "created_by", "updated_by", "disabled_by").get(pk=group.pk)


def _active_group_members(group_ids: Collection[int]) -> QuerySet[UserGroupMember]:
    """Members who still count: an active account, active in the group's workspace."""
    return UserGroupMember.objects.filter(
        group_id__in=group_ids,
        user__is_active=True,
        user__memberships__workspace_id=F("group__workspace_id"),
        user__memberships__is_active=True,
    )


def usergroup_user_counts(*, groups: Sequence[UserGroup]) -> dict[int, int]:
    """Per group pk, how many active people it holds (one query for all of them)."""
    counts = (
        _active_group_members([g.pk for g in groups]).values("group_id").annotate(n=Count("user_id", distinct=True))
    )
    found = {row["group_id"]: row["n"] for row in counts}
    return {group.pk: found.get(group.pk, 0) for group in groups}


def usergroup_user_ids(*, groups: Sequence[UserGroup], view: PeopleView | None = None) -> dict[int, list[str]]:
    """Per group pk, its active members' public ids in order; with `view`, only those its reader may see."""
    rows = _active_group_members([g.pk for g in groups])
    if view is not None:
        rows = rows.filter(user_id__in=view.members().values("user_id"))
    found: dict[int, list[str]] = {group.pk: [] for group in groups}
    for group_id, public_id in rows.values_list("group_id", "user__public_id").distinct().order_by("user__public_id"):
        found[group_id].append(public_id)
    return found


def usergroup_mentioned_people(*, workspace_id: int, public_ids: Collection[str]) -> list[str]:
    """The people a mention of these user groups (public ids) reaches: the active members of the enabled
    ones in the workspace. A disabled group, or another workspace's, reaches nobody."""
    if not public_ids:
        return []
    groups = UserGroup.objects.filter(workspace_id=workspace_id, public_id__in=public_ids, disabled_at__isnull=True)
    rows = _active_group_members(list(groups.values_list("pk", flat=True)))
    return list(dict.fromkeys(rows.order_by("user__public_id").values_list("user__public_id", flat=True)))
