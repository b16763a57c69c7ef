"""Preferences: the theme, the language, missed-message emails, daily do-not-disturb hours and read receipts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import PreferencesForm
from accounts.http import AuthenticatedHttpRequest
from chat.services import user_set_send_read_receipts
from slackclone.web import submit_form


def _save(user, data: dict) -> None:
    services.user_set_theme(actor=user, theme=data["theme"] or user.theme)
    services.user_set_language(actor=user, language=data["language"])
    enabled = data["dnd_enabled"]
    services.user_set_notification_preferences(
        actor=user,
        email_notifications=data["email_notifications"],
        dnd_start=data["dnd_start"] if enabled else None,
        dnd_end=data["dnd_end"] if enabled else None,
        clear_dnd=not enabled,
    )
    user_set_send_read_receipts(actor=user, enabled=data["send_read_receipts"])


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PreferencesForm.for_user(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = submit_form(
            request,
            form,
            lambda data: _save(request.user, data),
            success="Your preferences have been saved.",
            redirect_to="accounts:preferences",
        )
        if done:
            return done
    context = {"form": form, "section": "preferences", "timezone": request.user.timezone}
    return render(request, "accounts/preferences.html", context, status=400 if form.is_bound else 200)
