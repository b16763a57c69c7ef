"""The page an invitation link opens (/invite/<token>/).

Signed out, it offers to sign up (with the invited address filled in) or sign in, and comes back
here afterwards; signed in, one button joins the workspace. An emailed invitation works only for
its addressee: to anyone else it does not exist, as the service says.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Invitation
from workspaces.selectors import invitation_get, user_workspaces
from workspaces.services import invitation_accept


def _visible_invitation(request: HttpRequest, token: str) -> Invitation:
    invitation = invitation_get(token=token)
    user = request.user
    if invitation.email and user.is_authenticated and invitation.email != user.email.lower():
        raise DomainError(ErrorCode.INVITATION_NOT_FOUND, "This invitation link is not valid.")
    return invitation


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    status = 404 if error.http_status == 404 else 410 if error.http_status == 410 else 403
    return render(request, "workspaces/invitation_invalid.html", {"error": error}, status=status)


@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = _visible_invitation(request, token)
        if request.method == "POST" and request.user.is_authenticated:
            invitation_accept(user=request.user, token=token)
            messages.success(request, f"Welcome to {invitation.workspace.name}!")
            return redirect(f"/{invitation.workspace.slug}/")
    except DomainError as error:
        return _refused(request, error)
    if request.user.is_authenticated and user_workspaces(user=request.user, within=invitation.workspace).exists():
        return redirect(f"/{invitation.workspace.slug}/")
    if invitation.is_expired or invitation.is_used_up:
        code = ErrorCode.INVITATION_EXPIRED if invitation.is_expired else ErrorCode.INVITATION_USED_UP
        return _refused(request, DomainError(code, "This invitation can no longer be used; ask for a new one."))
    return render(request, "workspaces/invitation.html", {"invitation": invitation})
