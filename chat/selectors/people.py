"""Whom a reader may see of a workspace's people, and whose email addresses: the one rule every surface asks.

A guest sees only the people they share a channel or DM with (a chat fact, so the rule lives here),
everyone else the whole workspace; addresses per Workspace.email_display.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from chat.models import ChannelMember
from workspaces.models import EmailDisplay, Membership, Workspace
from workspaces.permissions import access_membership

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class PeopleView:
    """What one reader may see of a workspace's people; every surface that shows people asks it.

    Whom: everyone, except that a guest sees only the people they share a channel or DM with (and
    themselves). Whose email address: their own always; others' per Workspace.email_display
    (owners and admins always see them). `viewer_id` None is the operator, who sees everything.
    """

    workspace: Workspace
    viewer_id: int | None
    sees_everyone: bool
    sees_emails: bool

    def members(self) -> QuerySet[Membership]:
        """The memberships (active or not) of the people this reader may see, with their users."""
        memberships = Membership.objects.filter(workspace=self.workspace).select_related("user")
        if self.sees_everyone or self.viewer_id is None:  # the operator (viewer_id None) sees everyone
            return memberships
        mine = ChannelMember.objects.filter(user_id=self.viewer_id, channel__workspace=self.workspace)
        sharing = ChannelMember.objects.filter(channel__in=mine.values("channel_id")).values("user_id")
        return memberships.filter(Q(user_id__in=sharing) | Q(user_id=self.viewer_id))

    def shows_email(self, user: User) -> bool:
        return self.sees_emails or user.pk == self.viewer_id


def _sees_emails(workspace: Workspace, viewer: Membership) -> bool:
    if viewer.is_admin or workspace.email_display == EmailDisplay.EVERYONE:
        return True
    return workspace.email_display == EmailDisplay.MEMBERS and not viewer.is_guest


def people_view(*, workspace: Workspace, viewer: Membership | None) -> PeopleView:
    """The people rule for `viewer` (their membership in `workspace`, as access_membership returned it;
    None for the operator)."""
    if viewer is None:
        return PeopleView(workspace, None, sees_everyone=True, sees_emails=True)
    return PeopleView(
        workspace,
        viewer.user_id,
        sees_everyone=not viewer.is_guest,
        sees_emails=_sees_emails(workspace, viewer),
    )


def people_view_of(*, actor: User, workspace: Workspace) -> PeopleView:
    """people_view for an actor whose membership the caller has not loaded. Raises as access_membership."""
    return people_view(workspace=workspace, viewer=access_membership(actor, workspace))


def visible_people_ids(*, actor: User, public_ids: Collection[str], workspaces: Collection[str]) -> set[str]:
    """Which of these people (user public ids) `actor` may see in any of these workspaces (public ids) they
    are an active member of: active members of one, as people_view lets the actor see them. Ids of anyone
    else, in another workspace or none, are left out as if they did not exist."""
    wanted = set(public_ids)
    if not wanted:
        return set()
    visible: set[str] = set()
    memberships = Membership.objects.filter(
        user=actor, is_active=True, user__is_active=True, workspace__public_id__in=list(workspaces)
    ).select_related("workspace")
    for membership in memberships:
        view = people_view(workspace=membership.workspace, viewer=membership)
        seen = view.members().filter(is_active=True, user__is_active=True, user__public_id__in=wanted - visible)
        visible.update(seen.values_list("user__public_id", flat=True))
    return visible
