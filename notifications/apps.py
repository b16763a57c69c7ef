from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = "Notifications, scheduled messages and retention"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_save

        from accounts.models import User
        from chat.signals import message_edited, message_posted
        from notifications.access import end_push_on_sign_out, end_push_when_access_ends
        from notifications.enqueue import notify_of_edited_message, notify_of_posted_message

        message_posted.connect(notify_of_posted_message, dispatch_uid="notifications.notify_of_posted_message")
        message_edited.connect(notify_of_edited_message, dispatch_uid="notifications.notify_of_edited_message")
        user_logged_out.connect(end_push_on_sign_out, dispatch_uid="notifications.end_push_on_sign_out")
        post_save.connect(
            end_push_when_access_ends, sender=User, dispatch_uid="notifications.end_push_when_access_ends"
        )
