from django.apps import AppConfig


class SlackAppsConfig(AppConfig):
    name = "slack_apps"
    verbose_name = "Slack apps"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from slack_apps import outbox, unfurl

        outbox.connect()
        unfurl.connect()
