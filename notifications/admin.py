"""Django admin for the notification jobs' rows: looked at, not edited.

Notifications, email batches and the retention log are written only by the jobs; scheduled
messages and reminders can be cancelled (as the operator) through their services.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import truncatechars

from notifications.models import MissedMessageEmail, Notification, Reminder, RetentionRun, ScheduledMessage
from notifications.services import reminder_cancel, scheduled_message_cancel
from slackclone.admin_base import ReadOnlyServiceModelAdmin, run_service_action


@admin.register(Notification)
class NotificationAdmin(ReadOnlyServiceModelAdmin[Notification]):
    list_display = ("user", "reason", "channel", "seq", "created_at", "read_at", "pushed_at", "email_wanted", "email")
    list_filter = ("reason", "email_wanted")
    list_select_related = ("user", "channel")
    search_fields = ("user__email", "user__public_id", "channel__public_id", "channel__name")
    raw_id_fields = ("user", "workspace", "channel", "message", "email")
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(MissedMessageEmail)
class MissedMessageEmailAdmin(ReadOnlyServiceModelAdmin[MissedMessageEmail]):
    list_display = ("user", "workspace", "state", "due_at", "queued_at", "sent_at", "message_count")
    list_filter = ("state",)
    list_select_related = ("user", "workspace")
    search_fields = ("user__email", "user__public_id")
    raw_id_fields = ("user", "workspace")


@admin.register(ScheduledMessage)
class ScheduledMessageAdmin(ReadOnlyServiceModelAdmin[ScheduledMessage]):
    list_display = ("public_id", "author", "channel", "post_at", "state", "preview", "sent_at", "error_code")
    list_filter = ("state",)
    list_select_related = ("author", "channel")
    search_fields = ("public_id", "author__email", "channel__public_id", "channel__name")
    raw_id_fields = ("workspace", "channel", "author", "message")
    actions = ["cancel"]

    @admin.display(description="text")
    def preview(self, row: ScheduledMessage) -> str:
        return truncatechars(row.text, 60)

    @admin.action(description="Cancel the selected scheduled messages", permissions=["operate"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[ScheduledMessage]) -> None:
        run_service_action(
            self, request, queryset, lambda row: scheduled_message_cancel(actor=None, scheduled=row), done="Cancelled"
        )


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyServiceModelAdmin[Reminder]):
    list_display = ("public_id", "user", "workspace", "remind_at", "state", "text", "delivered_at", "error_code")
    list_filter = ("state",)
    list_select_related = ("user", "workspace")
    search_fields = ("public_id", "user__email", "text")
    raw_id_fields = ("workspace", "user", "message", "delivered_message")
    actions = ["cancel"]

    @admin.action(description="Cancel the selected reminders", permissions=["operate"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[Reminder]) -> None:
        run_service_action(
            self, request, queryset, lambda row: reminder_cancel(actor=None, reminder=row), done="Cancelled"
        )


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyServiceModelAdmin[RetentionRun]):
    list_display = (
        "workspace_name",
        "started_at",
        "finished_at",
        "retention_days",
        "cutoff",
        "messages_deleted",
        "files_deleted",
        "pinned_kept",
        "threads_kept",
        "batches",
    )
    search_fields = ("workspace_name", "workspace_public_id")
    raw_id_fields = ("workspace",)
