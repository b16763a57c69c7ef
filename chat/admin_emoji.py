"""Django admin for a workspace's custom emoji: added and removed through chat.services.emoji, as the operator."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from chat.models import CustomEmoji
from chat.services import emoji_add, emoji_alias, emoji_remove
from slackclone.admin_base import ServiceModelAdmin, run_service_action


class CustomEmojiAddForm(forms.ModelForm):
    upload = forms.FileField(required=False, label="Image", help_text="PNG, GIF (animated too), JPEG or WebP.")
    alias_for = forms.CharField(required=False, help_text="Or: the emoji (custom or standard) this name stands for.")

    class Meta:
        model = CustomEmoji
        fields = ("workspace", "name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("upload")) == bool(data.get("alias_for")):
            raise forms.ValidationError("Give an image, or the emoji it is an alias of (one of the two).")
        return data


@admin.register(CustomEmoji)
class CustomEmojiAdmin(ServiceModelAdmin[CustomEmoji]):
    """A workspace's custom emoji: added through emoji_add or emoji_alias, removed (with their aliases) by
    emoji_remove, which tells every open client."""

    list_display = ("name", "workspace", "alias_for", "content_type", "created_by", "created_at")
    list_select_related = ("workspace", "created_by")
    search_fields = ("name", "=workspace__public_id", "workspace__slug")
    ordering = ("workspace__slug", "name")
    autocomplete_fields = ("workspace",)
    fields = ("workspace", "name", "image", "content_type", "alias_for", "created_by", "created_at")
    readonly_fields = fields
    actions = ("remove_emoji",)

    def has_change_permission(self, request: HttpRequest, obj: CustomEmoji | None = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def get_form(
        self, request: HttpRequest, obj: CustomEmoji | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[CustomEmoji]]:
        if obj is None:
            kwargs["form"] = CustomEmojiAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: CustomEmoji | None = None):
        return ("workspace", "name", "upload", "alias_for") if obj is None else self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: CustomEmoji | None = None):
        return () if obj is None else self.readonly_fields

    def create_through_service(self, request: HttpRequest, form: forms.ModelForm[CustomEmoji]) -> CustomEmoji:
        """A refusal (a name taken, a file that is not an image) is shown as an error message, nothing stored."""
        data = form.cleaned_data
        if data.get("upload"):
            return emoji_add(actor=None, workspace=data["workspace"], name=data["name"], image=data["upload"])
        return emoji_alias(actor=None, workspace=data["workspace"], name=data["name"], alias_for=data["alias_for"])

    @admin.action(description="Remove the selected emoji (and their aliases)", permissions=["remove"])
    def remove_emoji(self, request: HttpRequest, queryset: QuerySet[CustomEmoji]) -> None:
        rows = queryset.select_related("workspace")
        run_service_action(
            self, request, rows, lambda e: emoji_remove(actor=None, workspace=e.workspace, name=e.name), done="Removed"
        )
