"""Your profile: names, title, time zone, photo and custom status. Each form posts to its own view."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.forms import STATUS_PRESETS, AvatarForm, ProfileForm, StatusForm, status_expiry
from accounts.http import AuthenticatedHttpRequest
from slackclone.web import submit_form

PROFILE_URL = "accounts:profile"


def _render(request: AuthenticatedHttpRequest, status: int = 200, **forms) -> HttpResponse:
    user = request.user
    initial = {"full_name": user.full_name, "display_name": user.display_name, "title": user.title}
    context = {
        "form": forms.get("form") or ProfileForm(initial={**initial, "timezone": user.timezone}),
        "avatar_form": forms.get("avatar_form") or AvatarForm(),
        "status_form": forms.get("status_form") or StatusForm(),
        "status_presets": [str(preset) for preset in STATUS_PRESETS],
        "current_status": user.current_status(),
        "section": "profile",
    }
    return render(request, "accounts/profile.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _render(request)
    form = ProfileForm(request.POST)
    done = submit_form(
        request,
        form,
        lambda data: services.user_update_profile(actor=request.user, user=request.user, **data),
        success=gettext("Your profile has been updated."),
        redirect_to=PROFILE_URL,
    )
    return done or _render(request, status=400, form=form)


@login_required
@require_POST
def avatar(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a new photo, or remove it (`remove` in the form)."""
    if "remove" in request.POST:
        services.user_set_avatar(actor=request.user, image=None)
        messages.success(request, gettext("Your photo has been removed."))
        return redirect(PROFILE_URL)
    form = AvatarForm(request.POST, request.FILES)
    done = submit_form(
        request,
        form,
        lambda data: services.user_set_avatar(actor=request.user, image=data["avatar"]),
        success=gettext("Your photo has been updated."),
        redirect_to=PROFILE_URL,
    )
    return done or _render(request, status=400, avatar_form=form)


def _set_status(user, data: dict) -> None:
    expires_at = status_expiry(data["expiry"], user.timezone)
    services.user_set_status(actor=user, emoji=data["emoji"], text=data["text"], expires_at=expires_at)


@login_required
@require_POST
def status(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set a custom status with when it clears, or clear it (`clear` in the form)."""
    if "clear" in request.POST:
        services.user_set_status(actor=request.user)
        messages.success(request, gettext("Your status has been cleared."))
        return redirect(PROFILE_URL)
    form = StatusForm(request.POST)
    done = submit_form(
        request,
        form,
        lambda data: _set_status(request.user, data),
        success=gettext("Your status has been set."),
        redirect_to=PROFILE_URL,
        aliases={"name": "emoji", "status_text": "text", "expires_at": "expiry"},
    )
    return done or _render(request, status=400, status_form=form)
