"""The unsubscribe page every missed-message email links to.

The link carries a signed token naming the person, so it works without signing in (from any
mail client) and only ever changes that person's email preference. GET shows the choice and
changes nothing (mail scanners follow links); POST makes it. Mail clients' one-click
unsubscribe (RFC 8058) POSTs `List-Unsubscribe=One-Click` to the same address, without a CSRF
token: the signed token is the credential.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.services import user_set_notification_preferences
from notifications.emails import user_for_unsubscribe_token


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user = user_for_unsubscribe_token(token)
    if user is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    changed = False
    if request.method == "POST":
        # "resubscribe" turns email back on; anything else (the one-click body included) turns it off.
        wanted = request.POST.get("action") == "resubscribe"
        user = user_set_notification_preferences(actor=user, email_notifications=wanted)
        changed = True
    return render(request, "notifications/unsubscribe.html", {"person": user, "changed": changed})
