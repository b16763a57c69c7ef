"""The audit log in the Django admin: read only. Nobody adds, changes or deletes an event here (the database
refuses changes anyway); retention prunes old ones (audit.retention)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "workspace", "actor_label", "target_type", "target_label", "ip_address")
    list_filter = ("action", "created_at", "target_type")
    search_fields = ("actor_label", "target_label", "target_id", "workspace__slug", "=ip_address")
    list_select_related = ("workspace",)
    date_hierarchy = "created_at"
    show_full_result_count = False  # counting a large log on each page costs more than showing it
    fields = (
        "created_at",
        "action",
        "workspace",
        "actor",
        "actor_label",
        "target_type",
        "target_id",
        "target_label",
        "ip_address",
        "user_agent",
        "data",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
