"""The Django admin for apps: made from a manifest (or a name), rotated, disabled and deleted through
the services, as the operator (slackclone.admin_base). Secrets are shown once, in a message."""

from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from slack_apps import services
from slack_apps.manifest import parse_manifest, spec_from_options
from slack_apps.models import App, SlashCommand
from slackclone.admin_base import ReadOnlyInline, ServiceModelAdmin, domain_validation_error, run_service_action
from slackclone.errors import DomainError


class AppCreateForm(forms.ModelForm):
    manifest = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 16}),
        required=False,
        help_text="A Slack app manifest, JSON or YAML, pasted as is. Without one: the name, default events and scopes.",
    )

    class Meta:
        model = App
        fields = ("workspace", "name", "socket_mode")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = "Required without a manifest; with one, it replaces the manifest's name."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            if data.get("manifest"):
                self.spec = parse_manifest(data["manifest"], name=data.get("name") or None)
            else:
                self.spec = spec_from_options(name=data.get("name", ""), socket_mode=data.get("socket_mode", False))
        except DomainError as error:
            raise domain_validation_error(error) from None
        return data


class SlashCommandInline(ReadOnlyInline):
    model = SlashCommand
    fields = ("command", "url", "description", "usage_hint")
    show_change_link = False


@admin.register(App)
class AppAdmin(ServiceModelAdmin):
    list_display = ("name", "public_id", "workspace", "socket_mode", "request_url", "created_at", "disabled_at")
    list_filter = ("socket_mode", "disabled_at")
    search_fields = ("name", "public_id", "workspace__slug")
    list_select_related = ("workspace",)
    readonly_fields = (
        "public_id",
        "workspace",
        "bot_user",
        "scopes",
        "bot_events",
        "socket_mode",
        "request_url",
        "interactivity_url",
        "created_by",
        "created_at",
        "disabled_at",
    )
    inlines = [SlashCommandInline]
    actions = ["disable", "enable", "rotate_signing_secret", "rotate_bot_token", "rotate_app_token", "delete_apps"]

    def get_form(
        self, request: HttpRequest, obj: App | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[App]]:
        if obj is None:
            kwargs["form"] = AppCreateForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: App | None = None):
        if obj is None:
            return ("workspace", "name", "socket_mode", "manifest")
        return ("name", "description", *self.readonly_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: App | None = None):
        return self.readonly_fields if obj else ()

    def create_through_service(self, request: HttpRequest, form: forms.ModelForm[App]) -> App:
        if not isinstance(form, AppCreateForm):
            raise TypeError("an app is added through AppCreateForm")
        app, credentials = services.app_create(actor=None, workspace=form.cleaned_data["workspace"], spec=form.spec)
        shown = ", ".join(f"{key}: {value}" for key, value in dataclasses.asdict(credentials).items())
        self.message_user(request, f"Store these now, they are shown once. {shown}", messages.WARNING)
        return app

    @admin.action(description="Disable the selected apps", permissions=["operate"])
    def disable(self, request: HttpRequest, queryset: QuerySet[App]) -> None:
        run_service_action(
            self,
            request,
            queryset,
            lambda app: services.app_set_enabled(actor=None, app=app, enabled=False),
            done="Disabled",
        )

    @admin.action(description="Enable the selected apps", permissions=["operate"])
    def enable(self, request: HttpRequest, queryset: QuerySet[App]) -> None:
        run_service_action(
            self,
            request,
            queryset,
            lambda app: services.app_set_enabled(actor=None, app=app, enabled=True),
            done="Enabled",
        )

    def _rotate(self, request: HttpRequest, queryset: QuerySet[App], secret: services.AppSecret) -> None:
        def rotate(app: App) -> None:
            raw = services.app_rotate(actor=None, app=app, secret=secret)
            self.message_user(request, f"{app}: new {secret} (shown once): {raw}", messages.WARNING)

        run_service_action(self, request, queryset, rotate, done=f"Rotated the {secret}")

    @admin.action(description="Rotate the signing secret", permissions=["operate"])
    def rotate_signing_secret(self, request: HttpRequest, queryset: QuerySet[App]) -> None:
        self._rotate(request, queryset, "signing_secret")

    @admin.action(description="Rotate the bot token", permissions=["operate"])
    def rotate_bot_token(self, request: HttpRequest, queryset: QuerySet[App]) -> None:
        self._rotate(request, queryset, "bot_token")

    @admin.action(description="Rotate the app-level token", permissions=["operate"])
    def rotate_app_token(self, request: HttpRequest, queryset: QuerySet[App]) -> None:
        self._rotate(request, queryset, "app_token")

    @admin.action(description="Delete the selected apps (their bots stay, deactivated)", permissions=["remove"])
    def delete_apps(self, request: HttpRequest, queryset: QuerySet[App]) -> None:
        run_service_action(
            self, request, queryset, lambda app: services.app_delete(actor=None, app=app), done="Deleted"
        )
