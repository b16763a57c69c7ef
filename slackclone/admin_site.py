"""The Django admin site, with its sign-in throttled as the site's own is.

Its login form is another way to guess a password: the same per-address budget
(API_AUTH_RATE) and per-account failure limit (AUTH_FAILURES_PER_ACCOUNT_RATE) apply to it.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy

from slackclone.web import auth_rate_limited


class SlackcloneAdminSite(admin.AdminSite):
    site_header = "Slackclone administration"
    site_title = "Slackclone admin"
    index_title = "Workspaces, people and conversations"

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        login = auth_rate_limited(gettext_lazy("sign-in attempts"), account_field="username")(super().login)
        return login(request, extra_context)
