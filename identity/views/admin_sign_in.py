"""A workspace's sign-in policy (/<slug>/admin/sign-in/): admins see it, owners change it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from identity.models import SignInPolicy
from identity.policy_forms import SignInPolicyForm
from identity.sign_in_policy import sign_in_policy_update
from slackclone.web import submit_form
from workspaces.models import Role
from workspaces.views.common import admin_workspace


@login_required
@require_http_methods(["GET", "POST"])
def sign_in_policy(request: AuthenticatedHttpRequest, workspace_slug: str) -> HttpResponse:
    """GET: the policy (any admin). POST: change it (the service lets owners only)."""
    workspace, actor = admin_workspace(request, workspace_slug)
    policy = SignInPolicy.objects.filter(workspace=workspace).first()
    form = SignInPolicyForm(
        request.POST if request.method == "POST" else None,
        workspace=workspace,
        initial=SignInPolicyForm.initial_of(policy),
    )
    if request.method == "POST":
        done = submit_form(
            request,
            form,
            lambda _data: sign_in_policy_update(
                actor=request.user, workspace=workspace, request=request, **form.service_arguments()
            ),
            success=gettext("The sign-in policy has been saved."),
            redirect_to=reverse("workspaces:admin-sign-in", args=[workspace.slug]),
            aliases={"session_length_hours": "session_length"},
        )
        if done:
            return done
    context = {
        "workspace": workspace,
        "form": form,
        "can_change": actor.role == Role.OWNER,
        "section": "sign-in",
    }
    return render(request, "workspaces/admin/sign_in.html", context, status=400 if form.errors else 200)
