from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = "Notifications, scheduled messages and retention"

    def ready(self) -> None:
        from chat.signals import message_posted
        from notifications.enqueue import notify_of_posted_message

        message_posted.connect(notify_of_posted_message, dispatch_uid="notifications.notify_of_posted_message")
