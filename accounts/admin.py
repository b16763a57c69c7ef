"""Django admin for people and API tokens, and the base every app's admin builds on.

Who acts: the Django admin is the operator's console. Its users are staff whom the operator
gave model permissions, so its writes call the services as the operator (actor=None), like
the manage.py commands. Passing the staff user as the actor instead would tie the console to
unrelated facts (whether they happen to be in the channel they archive, or an admin of that
workspace) and refuse them for the wrong reasons. Who did what is still recorded: every
change and action is written to Django's admin log against the staff user. And the services
still refuse what nobody may do (archiving #general, deactivating the last owner, ...); those
refusals appear as error messages with their code, and write nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.html import format_html

from accounts.models import ApiToken, User
from accounts.services import api_token_create, api_token_revoke, user_create, user_update_profile
from slackclone.errors import DomainError
from workspaces.models import Membership

# --- Shared by every app's admin ------------------------------------------------------------


def describe_error(error: DomainError) -> str:
    return f"{error.message} ({error.code.value})"


def run_service_action(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    rows: Iterable[Model],
    service: Callable[[Model], Any],
    *,
    done: str,
) -> int:
    """Call `service` on each row (each call is its own transaction) and report the outcome.

    Successes are logged against the staff user and counted in one message; each refusal
    gets an error message naming the row, the reason and its code. Returns the successes.
    """
    succeeded = 0
    for row in rows:
        try:
            service(row)
        except DomainError as error:
            model_admin.message_user(request, f"{row}: {describe_error(error)}", messages.ERROR)
            continue
        succeeded += 1
        model_admin.log_change(request, row, done)
    if succeeded:
        noun = model_admin.model._meta.verbose_name if succeeded == 1 else model_admin.model._meta.verbose_name_plural
        model_admin.message_user(request, f"{done}: {succeeded} {noun}.", messages.SUCCESS)
    return succeeded


def domain_validation_error(error: DomainError) -> forms.ValidationError:
    """A service check's refusal as a form error, on the fields it names when the form has them."""
    return forms.ValidationError(describe_error(error), code=error.code.value)


class ServiceModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose writes go through the services.

    - Adding: the form validates, then `create_through_service` creates the row; Django logs
      and shows that row.
    - Changing: plain saves only for settings no service owns; subclasses route the rest.
    - Deleting is off: rows leave through services (revoke, deactivate, archive, tombstone),
      so history and counters stay true.
    - Actions declare `permissions=["operate"]` (Django's change permission on the model) or
      `["remove"]` (its delete permission), so they work on read-only admins too.
    - A DomainError the form could not foresee (a race) becomes an error message, nothing written.
    """

    def create_through_service(self, request: HttpRequest, form: forms.ModelForm) -> Model:
        raise NotImplementedError(f"{type(self).__name__} must create rows through a service.")

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def _has_model_perm(self, request: HttpRequest, action: str) -> bool:
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")

    def has_operate_permission(self, request: HttpRequest) -> bool:
        return self._has_model_perm(request, "change")

    def has_remove_permission(self, request: HttpRequest) -> bool:
        return self._has_model_perm(request, "delete")

    def save_form(self, request: HttpRequest, form: forms.ModelForm, change: bool) -> Model:
        if change:
            return super().save_form(request, form, change)
        return self.create_through_service(request, form)

    def save_model(self, request: HttpRequest, obj: Model, form: forms.ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets, change: bool) -> None:
        if change:
            super().save_related(request, form, formsets, change)

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:  # the admin's transaction has rolled back
            self.message_user(request, describe_error(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ReadOnlyServiceModelAdmin(ServiceModelAdmin):
    """Rows that only services write (messages and what hangs off them): viewed here, changed by actions."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class CappedInlineFormSet(forms.BaseInlineFormSet):
    """Shows the first `cap` related rows, so a channel with 10,000 members still opens quickly."""

    cap = 100

    def get_queryset(self) -> QuerySet:
        if not hasattr(self, "_capped_queryset"):
            self._capped_queryset = super().get_queryset()[: self.cap]
        return self._capped_queryset


class ReadOnlyInline(admin.TabularInline):
    """Related rows shown on their parent's page; they are changed through their own admin's actions."""

    formset = CappedInlineFormSet
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


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
        cleaned = super().clean()
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
class UserAdmin(ServiceModelAdmin, DjangoUserAdmin):
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

    def create_through_service(self, request: HttpRequest, form: UserAddForm) -> User:
        data = form.cleaned_data
        return user_create(
            email=data["email"],
            password=data["password1"] if data.get("set_usable_password") else None,
            full_name=data.get("full_name", ""),
            is_bot=data.get("is_bot", False),
            email_verified=True,  # the operator vouches for the address
        )

    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool) -> None:
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
        cleaned = super().clean()
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
class ApiTokenAdmin(ServiceModelAdmin):
    """Tokens are created by api_token_create, which shows the raw token once, and revoked, never edited."""

    add_form = ApiTokenAddForm
    list_display = ("token", "public_id", "name", "user", "workspace", "created_at", "last_used_at", "is_live")
    list_select_related = ("user", "workspace")
    list_filter = (TokenStateFilter,)
    search_fields = ("name", "prefix", "=public_id", "user__email", "workspace__slug")
    autocomplete_fields = ("user", "workspace")
    readonly_fields = ("public_id", "prefix", "user", "workspace", "name", "created_by", "created_at")
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

    def get_form(self, request: HttpRequest, obj: ApiToken | None = None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None):
        return ("user", "workspace", "name") if obj is None else self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None):
        return () if obj is None else self.readonly_fields

    def create_through_service(self, request: HttpRequest, form: ApiTokenAddForm) -> ApiToken:
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
