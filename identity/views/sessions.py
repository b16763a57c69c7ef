"""The person's sessions (/auth/sessions/): each browser or device signed in, and signing any of them out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from accounts.http import AuthenticatedHttpRequest
from identity.sessions import session_rekeyed, user_session_end, user_sessions, user_sessions_end_others
from slackclone.errors import DomainError

SESSIONS_URL = "usersessions_list"


@login_required
@require_safe
def sessions(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = user_sessions(user=request.user, current_key=request.session.session_key)
    context = {"sessions": rows, "others": sum(1 for row in rows if not row.is_current), "section": "sessions"}
    return render(request, "identity/sessions.html", context)


@login_required
@require_POST
def session_end(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    try:
        user_session_end(
            actor=request.user, session_id=session_id, current_key=request.session.session_key, request=request
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("That session has been signed out."))
    return redirect(SESSIONS_URL)


@login_required
@require_POST
def sessions_end_others(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        user = user_sessions_end_others(actor=request.user, current_key=request.session.session_key, request=request)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(SESSIONS_URL)
    old_key = request.session.session_key
    update_session_auth_hash(request, user)  # a new session key for this browser, which stays signed in
    session_rekeyed(old_key=old_key, new_key=request.session.session_key)
    messages.success(request, gettext("You have been signed out of every other browser and device."))
    return redirect(SESSIONS_URL)
