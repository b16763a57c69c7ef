"""SCIM provisioning's admin page (/<slug>/admin/scim/): the base URL to give the identity provider, the
workspace's SCIM tokens, making one (shown once) and revoking one. Owners only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from scim.models import ScimToken
from scim.tokens import scim_token_create, scim_token_revoke
from slackclone.errors import DomainError
from workspaces.models import Membership, Role, Workspace
from workspaces.views.common import admin_workspace


def _owner_workspace(request: AuthenticatedHttpRequest, slug: str) -> tuple[Workspace, Membership]:
    workspace, membership = admin_workspace(request, slug)
    if membership.role != Role.OWNER:
        raise PermissionDenied(gettext("Only workspace owners manage SCIM provisioning."))
    return workspace, membership


def _page(
    request: AuthenticatedHttpRequest, workspace: Workspace, *, status: int = 200, **extra: object
) -> HttpResponse:
    context = {
        "workspace": workspace,
        "section": "scim",
        "base_url": request.build_absolute_uri(reverse("scim:root")),
        "tokens": ScimToken.objects.filter(workspace=workspace, revoked_at=None)
        .select_related("created_by")
        .order_by("-created_at"),
        **extra,
    }
    return render(request, "scim/admin.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def scim_admin(request: AuthenticatedHttpRequest, workspace_slug: str) -> HttpResponse:
    """GET: the page. POST: a new token (name in `name`), shown once on the page that answers."""
    workspace, _ = _owner_workspace(request, workspace_slug)
    if request.method != "POST":
        return _page(request, workspace)
    try:
        token, raw = scim_token_create(
            actor=request.user, workspace=workspace, name=request.POST.get("name", ""), request=request
        )
    except DomainError as error:
        return _page(request, workspace, status=400, error=error.message)
    return _page(request, workspace, status=201, created_token=raw, created=token)


@login_required
@require_POST
def scim_token_revoke_page(request: AuthenticatedHttpRequest, workspace_slug: str, token_id: str) -> HttpResponse:
    workspace, _ = _owner_workspace(request, workspace_slug)
    token = ScimToken.objects.filter(workspace=workspace, public_id=token_id).select_related("workspace").first()
    if token is None:
        raise Http404(gettext("Token not found."))
    try:
        scim_token_revoke(actor=request.user, token=token, request=request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("The SCIM token has been revoked."))
    return redirect("workspaces:admin-scim", workspace_slug=workspace_slug)
