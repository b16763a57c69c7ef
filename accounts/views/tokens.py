"""Personal API tokens: the list (with when each was last used), create (the secret shown once, and only
within 10 minutes of signing in or re-authenticating), revoke."""

from __future__ import annotations

from allauth.core.exceptions import ReauthenticationRequired
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import TokenCreateForm
from accounts.http import AuthenticatedHttpRequest
from accounts.selectors import user_tokens
from identity.mfa import signed_in_recently
from integrations.tokens import api_token_create
from slackclone.errors import DomainError
from slackclone.web import add_domain_error, auth_rate_limited
from workspaces.selectors import user_workspaces
from workspaces.tokens import api_token_revoke, token_get


@never_cache  # the page that shows a new token's secret must not be kept by any cache
@login_required
@auth_rate_limited(gettext_lazy("new API tokens"))
@require_http_methods(["GET", "POST"])
def tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST" and not signed_in_recently(request, request.user):
        # A token outlives the session: mint one only right after proving who you are. allauth's
        # middleware asks for the password (or the second factor), then replays this POST.
        raise ReauthenticationRequired()
    workspaces = [m.workspace for m in user_workspaces(user=request.user)]
    form = TokenCreateForm(request.POST or None, workspaces=workspaces)
    created = None
    if request.method == "POST" and form.is_valid():
        workspace = next(w for w in workspaces if w.public_id == form.cleaned_data["workspace"])
        try:
            token, raw = api_token_create(
                actor=request.user, user=request.user, workspace=workspace, name=form.cleaned_data["name"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            created = {"token": token, "raw": raw}
            form = TokenCreateForm(workspaces=workspaces)
    context = {
        "form": form,
        "created": created,
        "tokens": user_tokens(user=request.user),
        "has_workspaces": bool(workspaces),
        "section": "tokens",
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "accounts/tokens.html", context, status=status)


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, token_id: str) -> HttpResponse:
    try:
        token = token_get(actor=request.user, public_id=token_id)
        api_token_revoke(actor=request.user, token=token)
    except DomainError as error:
        raise Http404(error.message) from None
    messages.success(
        request, gettext("The token %(prefix)s… has been revoked; it no longer works.") % {"prefix": token.prefix}
    )
    return redirect("accounts:tokens")
