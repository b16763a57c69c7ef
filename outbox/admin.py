"""The outbox in the Django admin: read-only, with failed jobs and their reasons, and a retry action."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from outbox.models import OutboxJob
from outbox.services import job_retry


@admin.register(OutboxJob)
class OutboxJobAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "state", "queue", "due_at", "attempts", "done_at", "error")
    list_filter = ("state", "name", "queue")
    search_fields = ("name", "error")
    ordering = ("-id",)
    actions = ("retry_failed",)
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxJob | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutboxJob | None = None) -> bool:
        return False

    @admin.action(description=_("Retry the selected failed jobs"), permissions=["view"])
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[OutboxJob]) -> None:
        retried = sum(job_retry(job_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d failed job will run again.", "%(count)d failed jobs will run again.", retried)
            % {"count": retried},
            messages.SUCCESS,
        )
