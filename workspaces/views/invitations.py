"""The page an invitation link opens (/invite/<token>/).

Signed in, one button joins the workspace. Signed out, an invitation addressed to one email lets its
visitor (who followed the link mailed there, so owns the address) create the account, or claim the
one an import made for the address, and join in one step; a link for anyone offers sign-up by mail or
sign-in, and comes back here afterwards. An emailed invitation works only for its addressee: to
anyone else it does not exist, as the service says.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.forms import NewAccountForm
from accounts.views.auth import BACKEND
from audit.context import set_sign_in_method
from slackclone.errors import DomainError, ErrorCode
from slackclone.web import add_domain_error, auth_rate_limited
from workspaces.models import Invitation
from workspaces.selectors import invitation_account_state, invitation_get, user_workspaces
from workspaces.services import invitation_accept, invitation_sign_up


def _visible_invitation(request: HttpRequest, token: str) -> Invitation:
    invitation = invitation_get(token=token)
    user = request.user
    if invitation.email and user.is_authenticated and invitation.email != user.email.lower():
        raise DomainError(ErrorCode.INVITATION_NOT_FOUND, "This invitation link is not valid.")
    return invitation


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    status = 404 if error.http_status == 404 else 410 if error.http_status == 410 else 403
    return render(request, "workspaces/invitation_invalid.html", {"error": error}, status=status)


def _welcome(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    messages.success(request, gettext("Welcome to %(name)s!") % {"name": invitation.workspace.name})
    return redirect(f"/{invitation.workspace.slug}/")


def _sign_up_here(request: HttpRequest, invitation: Invitation, token: str) -> HttpResponse:
    """A signed-out visitor of an emailed invitation: make or claim the account, sign in, join."""
    state = invitation_account_state(invitation=invitation)
    form = NewAccountForm(request.POST if request.method == "POST" and state != "existing" else None)
    if form.is_bound and form.is_valid():
        try:
            user = invitation_sign_up(token=token, **form.cleaned_data)
        except DomainError as error:
            if error.code != ErrorCode.INVALID_PASSWORD:
                return _refused(request, error)
            add_domain_error(form, error)
        else:
            set_sign_in_method(request, "invitation")
            login(request, user, backend=BACKEND)
            return _welcome(request, invitation)
    context = {"invitation": invitation, "account_state": state, "form": form}
    return render(request, "workspaces/invitation.html", context, status=400 if form.is_bound else 200)


@sensitive_post_parameters("password")
@auth_rate_limited(gettext_lazy("sign-ups"))
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = _visible_invitation(request, token)
        if request.method == "POST" and request.user.is_authenticated:
            invitation_accept(user=request.user, token=token)
            return _welcome(request, invitation)
    except DomainError as error:
        return _refused(request, error)
    if request.user.is_authenticated and user_workspaces(user=request.user, within=invitation.workspace).exists():
        return redirect(f"/{invitation.workspace.slug}/")
    if invitation.is_expired or invitation.is_used_up:
        code = ErrorCode.INVITATION_EXPIRED if invitation.is_expired else ErrorCode.INVITATION_USED_UP
        return _refused(request, DomainError(code, "This invitation can no longer be used; ask for a new one."))
    if invitation.email and not request.user.is_authenticated:
        return _sign_up_here(request, invitation, token)
    return render(request, "workspaces/invitation.html", {"invitation": invitation})
