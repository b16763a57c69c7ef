"""The writes of the notifications app. Tasks, API views and commands call these and nothing else.

Every service that runs from a task takes `now`, so tests control time by passing it rather
than by sleeping or patching the clock.
"""

from notifications.services.due import deliveries_run_due
from notifications.services.email import missed_email_send, missed_emails_claim_due
from notifications.services.inbox import notification_mark_read
from notifications.services.notify import notify_message_edited, notify_message_posted
from notifications.services.push import push_set_enabled, push_subscribe, push_unsubscribe
from notifications.services.push_delivery import push_deliver
from notifications.services.reminders import reminder_cancel, reminder_create, reminder_deliver
from notifications.services.retention import retention_apply, retention_apply_all
from notifications.services.scheduled import (
    scheduled_message_cancel,
    scheduled_message_create,
    scheduled_message_deliver,
    scheduled_message_edit,
)

__all__ = [
    "deliveries_run_due",
    "missed_email_send",
    "missed_emails_claim_due",
    "notification_mark_read",
    "notify_message_edited",
    "notify_message_posted",
    "push_deliver",
    "push_set_enabled",
    "push_subscribe",
    "push_unsubscribe",
    "reminder_cancel",
    "reminder_create",
    "reminder_deliver",
    "retention_apply",
    "retention_apply_all",
    "scheduled_message_cancel",
    "scheduled_message_create",
    "scheduled_message_deliver",
    "scheduled_message_edit",
]
