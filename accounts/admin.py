"""Django admin for people and API tokens (through the services, as the operator: slackclone.admin_base)."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from accounts.models import ApiToken, User
from accounts.services import user_create, user_update_profile
from integrations.tokens import api_token_create
from slackclone.admin_base import ServiceModelAdmin, run_service_action
from workspaces.models import Membership
from workspaces.tokens import api_token_revoke

# --- Users --------------------------------------------------------------------------------------


class UserAddForm(auth_forms.AdminUserCreationForm):
    """Email and password (or no password: bots, and people who will set one later)."""

    class Meta:
        model = User
        fields = ("email", "full_name", "is_bot")
        field_classes: dict[str, type] = {}

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("is_bot") and cleaned.get("set_usable_password"):
            self.add_error("usable_password", "Bots have no password (they use API tokens): choose Disabled.")
        return cleaned


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict[str, type] = {}


PROFILE_FIELDS = ("full_name", "display_name", "title", "timezone")


@admin.register(User)
class UserAdmin(ServiceModelAdmin[User], DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserAddForm
    list_display = ("email", "name", "public_id", "is_bot", "is_active", "is_staff", "date_joined", "last_login")
    list_filter = ("is_active", "is_bot", "is_staff", "is_superuser")
    search_fields = ("email", "full_name", "display_name", "=public_id")
    ordering = ("email",)
    readonly_fields = ("public_id", "is_bot", "bot_kind", "bot_workspace", "date_joined", "last_login")
    fieldsets = (
        (
            None,
            {"fields": ("public_id", "email", "email_verified_at", "password", "is_bot", "bot_kind", "bot_workspace")},
        ),
        ("Profile", {"fields": (*PROFILE_FIELDS, "avatar", "status_emoji", "status_text", "status_expires_at")}),
        ("Notifications", {"fields": ("email_notifications", "dnd_start", "dnd_end")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("date_joined", "last_login")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "is_bot")}),
        ("Password", {"classes": ("wide",), "fields": ("usable_password", "password1", "password2")}),
    )

    @admin.display(description="name")
    def name(self, user: User) -> str:
        return user.name

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple[str, ...]:
        return self.readonly_fields if obj is not None else ()

    def create_through_service(self, request: HttpRequest, form: forms.ModelForm[User]) -> User:
        data = form.cleaned_data
        return user_create(
            email=data["email"],
            password=data["password1"] if data.get("set_usable_password") else None,
            full_name=data.get("full_name", ""),
            is_bot=data.get("is_bot", False),
            email_verified=True,  # the operator vouches for the address
        )

    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm[User], change: bool) -> None:
        """Profile changes of an active user also go through user_update_profile, so open clients see them."""
        super().save_model(request, obj, form, change)
        changes = {field: getattr(obj, field) for field in PROFILE_FIELDS if field in form.changed_data}
        if change and changes and obj.is_active:
            user_update_profile(actor=obj, user=obj, **changes)


# --- API tokens -------------------------------------------------------------------------------


class ApiTokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("user", "workspace", "name")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        user, workspace = cleaned.get("user"), cleaned.get("workspace")
        if user is not None and workspace is not None:
            if not Membership.objects.filter(user=user, workspace=workspace, is_active=True).exists():
                self.add_error("user", f"{user.email} is not an active member of {workspace.slug}.")
            elif not user.is_active:
                self.add_error("user", f"{user.email} has been deactivated.")
        return cleaned


class TokenStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("live", "Live"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        if self.value() == "live":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceModelAdmin[ApiToken]):
    """Tokens are created by api_token_create, which shows the raw token once, and revoked, never edited."""

    add_form = ApiTokenAddForm
    list_display = ("token", "public_id", "name", "user", "workspace", "created_at", "last_used_at", "is_live")
    list_select_related = ("user", "workspace")
    list_filter = (TokenStateFilter,)
    search_fields = ("name", "prefix", "=public_id", "user__email", "workspace__slug")
    autocomplete_fields = ("user", "workspace")
    readonly_fields: ClassVar[tuple[str, ...]] = (
        "public_id",
        "prefix",
        "user",
        "workspace",
        "name",
        "created_by",
        "created_at",
    )
    readonly_fields += ("last_used_at", "revoked_at")
    ordering = ("-created_at",)
    actions = ("revoke",)

    @admin.display(description="token", ordering="prefix")
    def token(self, token: ApiToken) -> str:
        return f"{token.prefix}…"

    @admin.display(description="live", boolean=True)
    def is_live(self, token: ApiToken) -> bool:
        return not token.is_revoked

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def get_form(
        self, request: HttpRequest, obj: ApiToken | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[ApiToken]]:
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None):
        return ("user", "workspace", "name") if obj is None else self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None):
        return () if obj is None else self.readonly_fields

    def create_through_service(self, request: HttpRequest, form: forms.ModelForm[ApiToken]) -> ApiToken:
        data = form.cleaned_data
        token, raw = api_token_create(actor=None, user=data["user"], workspace=data["workspace"], name=data["name"])
        self.message_user(
            request,
            format_html(
                "The new token for {} in {} is <code>{}</code>. Copy it now: it is shown only this once.",
                token.user.email,
                token.workspace.slug,
                raw,
            ),
            messages.SUCCESS,
        )
        return token

    @admin.action(description="Revoke the selected tokens", permissions=["operate"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        run_service_action(
            self,
            request,
            queryset.filter(revoked_at__isnull=True).select_related("user", "workspace"),
            lambda token: api_token_revoke(actor=None, token=token),
            done="Revoked",
        )
