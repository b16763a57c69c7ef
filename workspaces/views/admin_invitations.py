"""Workspace admin: invitations (/<slug>/admin/invitations/): a shareable link, email invitations, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from slackclone.errors import DomainError
from slackclone.web import submit_form
from workspaces import services
from workspaces.emails import invitation_url
from workspaces.forms import InviteEmailForm, InviteLinkForm
from workspaces.selectors import workspace_invitation_get, workspace_invitations
from workspaces.views.common import admin_workspace


def _render(request, workspace, *, link_form=None, email_form=None, status=200) -> HttpResponse:
    invitations = [i for i in workspace_invitations(actor=request.user, workspace=workspace) if not i.is_expired]
    context = {
        "workspace": workspace,
        "link_form": link_form or InviteLinkForm(),
        "email_form": email_form or InviteEmailForm(),
        "invitations": [{"invitation": i, "url": invitation_url(i) if i.shareable_token else ""} for i in invitations],
        "section": "invitations",
    }
    return render(request, "workspaces/admin/invitations.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def invitations(request: AuthenticatedHttpRequest, workspace_slug: str) -> HttpResponse:
    """GET lists pending invitations; POST with `kind=link` makes a shareable link, `kind=email` emails people."""
    workspace, _ = admin_workspace(request, workspace_slug)
    if request.method == "GET":
        return _render(request, workspace)
    if request.POST.get("kind") == "email":
        return _invite_by_email(request, workspace)
    form = InviteLinkForm(request.POST)
    done = submit_form(
        request,
        form,
        lambda data: services.invitation_create(actor=request.user, workspace=workspace, **data),
        success=gettext("A new invitation link is ready: copy it from the list below."),
        redirect_to=reverse("workspaces:admin-invitations", args=[workspace.slug]),
    )
    return done or _render(request, workspace, link_form=form, status=400)


def _invite_all(actor, workspace, data: dict) -> None:
    with transaction.atomic():  # all or none: one refused address invites nobody
        for email in data["emails"]:
            services.invitation_create(
                actor=actor, workspace=workspace, email=email, role=data["role"], send_email=True
            )


def _invite_by_email(request: AuthenticatedHttpRequest, workspace) -> HttpResponse:
    form = InviteEmailForm(request.POST)
    emails = form.cleaned_data["emails"] if form.is_valid() else []
    done = submit_form(
        request,
        form,
        lambda data: _invite_all(request.user, workspace, data),
        success=ngettext("Invitation sent to %(emails)s.", "Invitations sent to %(emails)s.", len(emails))
        % {"emails": ", ".join(emails)},
        redirect_to=reverse("workspaces:admin-invitations", args=[workspace.slug]),
        aliases={"email": "emails"},
    )
    return done or _render(request, workspace, email_form=form, status=400)


@login_required
@require_POST
def invitation_revoke(request: AuthenticatedHttpRequest, workspace_slug: str, invitation_id: str) -> HttpResponse:
    workspace, _ = admin_workspace(request, workspace_slug)
    try:
        invitation = workspace_invitation_get(actor=request.user, workspace=workspace, public_id=invitation_id)
    except DomainError as error:
        raise Http404(error.message) from None
    services.invitation_revoke(actor=request.user, invitation=invitation)
    if invitation.email:
        done = gettext("The invitation for %(email)s has been revoked.") % {"email": invitation.email}
    else:
        done = gettext("The invitation link has been revoked.")
    messages.success(request, done)
    return redirect("workspaces:admin-invitations", workspace_slug=workspace.slug)
