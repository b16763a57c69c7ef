"""Sign-in and security (/accounts/security/): change the password, sign out of every other session.

Either one ends the other sessions and closes their sockets (accounts.signals, accounts.services);
this browser's session is re-signed at once, so it stays signed in.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.services import user_sign_out_other_sessions
from slackclone.web import auth_rate_limited

SECURITY_URL = "accounts:security"


def _render(request: AuthenticatedHttpRequest, form: PasswordChangeForm, status: int = 200) -> HttpResponse:
    return render(request, "accounts/security.html", {"form": form, "section": "security"}, status=status)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
@auth_rate_limited(gettext_lazy("password changes"))
@require_http_methods(["GET", "POST"])
def security(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: the page. POST: change the password (the current one is asked for, as a stolen session lacks it)."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "GET":
        return _render(request, form)
    if not form.is_valid():
        return _render(request, form, status=400)
    user = form.save()
    update_session_auth_hash(request, user)
    messages.success(request, gettext("Your password has been changed, and every other session signed out."))
    return redirect(SECURITY_URL)


@login_required
@require_POST
def sign_out_other_sessions(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = user_sign_out_other_sessions(actor=request.user)
    update_session_auth_hash(request, user)
    messages.success(request, gettext("You have been signed out of every other browser and device."))
    return redirect(SECURITY_URL)
