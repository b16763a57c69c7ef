"""`/` and the list of your workspaces; remembering which workspace you opened last."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from workspaces.models import Membership, Workspace
from workspaces.selectors import pending_invitations_for, user_workspaces
from workspaces.services import user_set_last_workspace


def workspace_url(workspace: Workspace) -> str:
    """The web client of a workspace."""
    return f"/{workspace.slug}/"


def remember_last_workspace(request: AuthenticatedHttpRequest, workspace: Workspace) -> None:
    """Record that the signed-in user opened `workspace`, so `/` brings them back to it.

    Callers: the web client's page view, after it has checked the user is an active member.
    Writes only when the workspace changes. Raises DomainError if they are not an active member.
    """
    user_set_last_workspace(actor=request.user, workspace=workspace)


def _landing_workspace(memberships: list[Membership], last_workspace_id: int | None) -> Workspace | None:
    for membership in memberships:
        if membership.workspace_id == last_workspace_id:
            return membership.workspace
    return memberships[0].workspace if memberships else None


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Signed out: the login page. Signed in: the workspace opened last (else the first joined), or,
    with none, the page that offers to create one and lists the invitations waiting."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    memberships = list(user_workspaces(user=request.user))
    workspace = _landing_workspace(memberships, request.user.last_workspace_id)
    if workspace is not None:
        return redirect(workspace_url(workspace))
    return _workspaces_page(request, request.user)


@require_safe
@login_required
def workspaces(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Your workspaces, the invitations waiting for you, and a way to create a workspace."""
    return _workspaces_page(request, request.user)


def _workspaces_page(request: HttpRequest, user: User) -> HttpResponse:
    memberships = list(user_workspaces(user=user))
    context = {
        "memberships": memberships,
        "invitations": pending_invitations_for(user=user),
        "section": "workspaces",
    }
    return render(request, "accounts/workspaces.html", context)
