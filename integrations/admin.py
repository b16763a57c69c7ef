"""The Django admin for integrations: webhooks (created and revoked through the services) and the import map."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin, messages

from integrations import services
from integrations.models import ImportedObject, IncomingWebhook
from integrations.selectors import with_channel_visibility

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class ChannelVisibility(TypedDict):
    channel_visible: bool


@admin.register(IncomingWebhook)
class IncomingWebhookAdmin(admin.ModelAdmin):
    """A private channel the staff user is not in shows as "a private channel", without its id or name
    (selectors.with_channel_visibility), and is not found by searching for its name."""

    list_display = ("name", "public_id", "workspace", "posts_to", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "public_id", "workspace__slug")
    list_select_related = ("workspace", "channel")
    readonly_fields = ("public_id", "workspace", "bot", "created_by", "created_at", "last_used_at", "revoked_at")
    raw_id_fields = ("channel",)
    actions = ["revoke"]

    def get_queryset(self, request):
        return with_channel_visibility(super().get_queryset(request), request.user)

    @admin.display(description="channel")
    def posts_to(self, webhook: WithAnnotations[IncomingWebhook, ChannelVisibility]) -> str:
        return f"#{webhook.channel.name}" if webhook.channel_visible else "a private channel"

    def get_fields(self, request, obj=None):
        # Once made, a webhook's place is fixed (its workspace is its channel's); to move one, revoke it
        # and make another.
        return ("name", "posts_to", *self.readonly_fields) if obj else ("name", "channel", *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "posts_to") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        """A new webhook goes through webhook_create (its bot, its secret); its URL is shown once."""
        if change:
            obj.save(update_fields=["name"])
            return
        webhook, secret = services.webhook_create(actor=None, channel=obj.channel, name=obj.name)
        obj.pk, obj.public_id = webhook.pk, webhook.public_id
        url = request.build_absolute_uri(webhook.url_path(secret))
        self.message_user(request, f"Webhook URL (shown once): {url}", messages.WARNING)

    @admin.action(description="Revoke the selected webhooks")
    def revoke(self, request, queryset):
        for webhook in queryset.select_related("workspace", "bot"):
            services.webhook_revoke(actor=None, webhook=webhook)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the webhook's messages keep their author


@admin.register(ImportedObject)
class ImportedObjectAdmin(admin.ModelAdmin):
    list_display = ("kind", "source_id", "target_id", "workspace", "imported_at")
    list_filter = ("kind",)
    search_fields = ("source_id",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
