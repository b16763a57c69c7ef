"""The Django admin site, signed into through the site's own login page.

Its own login form would be a way in without the second factor (and another way to guess a password), so
it sends people to /accounts/login/ (throttled per address and per account, with allauth's login stages)
and back; django-allauth's secure_admin_login does that.
"""

from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.http import HttpRequest, HttpResponse


class SlackcloneAdminSite(admin.AdminSite):
    site_header = "Slackclone administration"
    site_title = "Slackclone admin"
    index_title = "Workspaces, people and conversations"

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Staff sign in on the site's own login page, so the second factor is asked there too; a signed-in
        person who is not active staff is refused (403) rather than shown another password form."""
        return secure_admin_login(super().login)(request, extra_context)
