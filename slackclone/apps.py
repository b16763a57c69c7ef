"""The project's own app configurations (apart from the domain apps')."""

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class SlackcloneAdminConfig(AdminConfig):
    """Django's admin, served by our site class (its sign-in throttled: slackclone.admin_site)."""

    default_site = "slackclone.admin_site.SlackcloneAdminSite"


class SlackcloneConfig(AppConfig):
    """The project's own wiring that is no domain app's: how its database connections read values."""

    name = "slackclone"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from slackclone.pg_timestamps import use_compiled_timestamps

        connection_created.connect(use_compiled_timestamps, dispatch_uid="slackclone.pg_timestamps")
