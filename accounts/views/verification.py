"""Proving an email address: the page a verification link opens, and asking for a new link.

The link's page asks for one click before it acts: mail scanners fetch links with GET, and a
single-use link must not be spent by them.
"""

from __future__ import annotations

from allauth.account.utils import perform_login
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.signup import email_verification_send, email_verify
from accounts.verification import read_verification_token
from accounts.views.auth import BACKEND, safe_next
from audit.context import set_sign_in_method
from slackclone.errors import DomainError


@require_http_methods(["GET", "POST"])
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a button that confirms the address. POST: confirm it, sign in, and go on to `next`."""
    try:
        user = email_verify(token=token) if request.method == "POST" else read_verification_token(token)
    except DomainError as error:
        status = 410 if error.http_status == 410 else 400
        return render(request, "accounts/verify_email_invalid.html", {"error": error}, status=status)
    if request.method == "GET":
        return render(request, "accounts/verify_email.html", {"email": user.email, "next": safe_next(request, "")})
    set_sign_in_method(request, "email_link")
    messages.success(request, gettext("Thanks, %(email)s is confirmed.") % {"email": user.email})
    # Through allauth's login stages: a mailbox is not a second factor, so two-factor still asks its code.
    user.backend = BACKEND  # type: ignore[attr-defined]  # django.contrib.auth.login reads it
    return perform_login(request, user, redirect_url=resolve_url(safe_next(request)))


@require_POST
@login_required
def resend_verification(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Mail the signed-in person a new verification link (rate limited per address)."""
    try:
        email_verification_send(actor=request.user, next_url=safe_next(request, ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("We sent a new link to %(email)s.") % {"email": request.user.email})
    return redirect(safe_next(request, "accounts:workspaces"))
