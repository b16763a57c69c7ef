"""What the workspace pages share: finding the workspace for the signed-in admin, errors as HTTP answers."""

from __future__ import annotations

from typing import NoReturn

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.http import AuthenticatedHttpRequest
from slackclone.errors import DomainError
from workspaces.models import Membership, Workspace
from workspaces.permissions import access_workspace_admin, access_workspace_owner


def raise_as_http(error: DomainError) -> NoReturn:
    """404 for what does not exist for you, 403 for the rest (as DomainError.http_status says)."""
    if error.http_status == 404:
        raise Http404(error.message)
    raise PermissionDenied(error.message)


def admin_workspace(request: AuthenticatedHttpRequest, slug: str) -> tuple[Workspace, Membership]:
    """The workspace at /<slug>/ and the user's admin membership: 404 if you are not in it, 403 if not an admin."""
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise Http404("Workspace not found.")
    try:
        membership = access_workspace_admin(request.user, workspace)
    except DomainError as error:
        raise_as_http(error)
    return workspace, membership


def owner_workspace(request: AuthenticatedHttpRequest, slug: str) -> tuple[Workspace, Membership]:
    """The workspace at /<slug>/ and the user's owner membership: 404 if you are not in it, 403 if not an owner."""
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise Http404("Workspace not found.")
    try:
        membership = access_workspace_owner(request.user, workspace)
    except DomainError as error:
        raise_as_http(error)
    return workspace, membership
