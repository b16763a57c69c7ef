"""The project's own app configurations (apart from the domain apps')."""

from django.contrib.admin.apps import AdminConfig


class SlackcloneAdminConfig(AdminConfig):
    """Django's admin, served by our site class (its sign-in throttled: slackclone.admin_site)."""

    default_site = "slackclone.admin_site.SlackcloneAdminSite"
