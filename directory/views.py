"""Workspace admin: the LDAP / Active Directory page (/<slug>/admin/ldap/), for the workspace's owners."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from directory import services
from directory.forms import DirectoryForm
from directory.models import Directory
from slackclone.errors import DomainError
from workspaces.models import Workspace
from workspaces.views.common import raise_as_http


def _owner_workspace(request: AuthenticatedHttpRequest, slug: str) -> tuple[Workspace, Directory | None]:
    """404 for a workspace you are not in, 403 unless you own it."""
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise Http404("Workspace not found.")
    try:
        return workspace, services.directory_get(actor=request.user, workspace=workspace)
    except DomainError as error:
        raise_as_http(error)


@login_required
@sensitive_post_parameters("bind_password")
@require_http_methods(["GET", "POST"])
def ldap_settings(request: AuthenticatedHttpRequest, workspace_slug: str) -> HttpResponse:
    workspace, directory = _owner_workspace(request, workspace_slug)
    form = DirectoryForm(request.POST or None, instance=directory)
    if request.method == "POST" and form.is_valid():
        try:
            services.directory_save(
                actor=request.user,
                workspace=workspace,
                values=form.service_values(),
                bind_password=form.bind_password_change(),
                request=request,
            )
        except DomainError as error:
            named = next((name for name in error.fields or {} if name in form.fields), None)
            form.add_error(named, error.message)
        else:
            messages.success(request, gettext("The directory settings have been saved."))
            return redirect("workspaces:admin-ldap", workspace_slug=workspace.slug)
    context = {"workspace": workspace, "directory": directory, "form": form, "section": "ldap"}
    return render(request, "directory/admin_ldap.html", context)


@login_required
@require_POST
def ldap_test(request: AuthenticatedHttpRequest, workspace_slug: str) -> HttpResponse:
    """Bind as the service account and search the user base; the reason when it fails."""
    workspace, _ = _owner_workspace(request, workspace_slug)
    try:
        failure = services.directory_test(actor=request.user, workspace=workspace)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if failure is None:
            messages.success(request, gettext("Connected: the service account can bind and search the users."))
        else:
            messages.error(request, gettext("The connection failed: %(reason)s") % {"reason": failure.message})
    return redirect("workspaces:admin-ldap", workspace_slug=workspace.slug)
