"""Create a workspace (/new/): the creator becomes its owner and lands in its #general."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from slackclone.errors import DomainError
from slackclone.web import add_domain_error
from workspaces.forms import WorkspaceCreateForm
from workspaces.services import workspace_create


@login_required
@require_http_methods(["GET", "POST"])
def create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = WorkspaceCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = workspace_create(creator=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, gettext("%(name)s is ready. Invite your team from its admin pages.") % {"name": workspace.name}
            )
            return redirect(f"/{workspace.slug}/")
    status = 400 if form.is_bound else 200
    return render(request, "workspaces/create.html", {"form": form}, status=status)
