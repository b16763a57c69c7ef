"""Template tags of the workspace admin pages: whether to show what only owners may open."""

from __future__ import annotations

from django import template

from workspaces.models import Membership, Role, Workspace

register = template.Library()


@register.simple_tag
def is_workspace_owner(user, workspace: Workspace) -> bool:
    """Whether `user` is an active owner of `workspace` (the audit log's link); the page checks again."""
    if not getattr(user, "is_authenticated", False) or workspace is None:
        return False
    return Membership.objects.filter(user=user, workspace=workspace, role=Role.OWNER, is_active=True).exists()
