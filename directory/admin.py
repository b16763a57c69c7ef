"""Django admin: the operator sees every workspace's directory, changes it through directory.services as the
operator (actor None), and is the only one who marks a directory trusted (its addresses count as verified)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from accounts.models import User
from directory import services
from directory.forms import FIELDS
from directory.models import Directory, DirectoryLink
from slackclone.admin_base import ServiceModelAdmin, domain_validation_error
from slackclone.errors import DomainError


class DirectoryAdminForm(forms.ModelForm):
    bind_password = forms.CharField(
        required=False, strip=False, widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted, never shown. Empty keeps the stored password.",
    )  # fmt: skip

    class Meta:
        model = Directory
        fields = ("workspace", "trusted", *FIELDS)


@admin.register(Directory)
class DirectoryAdmin(ServiceModelAdmin[Directory]):
    form = DirectoryAdminForm
    list_display = ("workspace", "server_uri", "enabled", "trusted", "updated_at", "last_synced_at")
    list_filter = ("enabled", "trusted")
    search_fields = ("workspace__slug", "server_uri")
    list_select_related = ("workspace",)
    readonly_fields = ("created_at", "updated_at", "last_synced_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Directory | None = None) -> Any:
        return (*self.readonly_fields, "workspace") if obj else self.readonly_fields

    def _save(self, request: HttpRequest, form: forms.ModelForm[Directory]) -> Directory:
        data = form.cleaned_data
        workspace = form.instance.workspace if form.instance.pk else data["workspace"]
        try:
            services.directory_save(
                actor=None,
                workspace=workspace,
                values={name: data[name] for name in FIELDS},
                bind_password=data.get("bind_password") or None,
                request=request,
            )
            # The operator's own decision, set after the save (which clears trust when the server changed).
            return services.directory_set_trusted(
                workspace=workspace, trusted=data["trusted"], actor=cast(User, request.user), request=request
            )
        except DomainError as error:
            raise domain_validation_error(error) from None

    def create_through_service(self, request: HttpRequest, form: forms.ModelForm[Directory]) -> Directory:
        return self._save(request, form)

    def save_form(self, request: HttpRequest, form: forms.ModelForm[Directory], change: bool) -> Directory:
        return self._save(request, form)

    def save_model(self, request: HttpRequest, obj: Directory, form: Any, change: bool) -> None:
        pass  # directory_save wrote it

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass


@admin.register(DirectoryLink)
class DirectoryLinkAdmin(admin.ModelAdmin):
    list_display = ("dn", "user", "directory", "created_at", "last_seen_at")
    search_fields = ("dn", "user__email")
    list_select_related = ("user", "directory__workspace")
    readonly_fields = ("directory", "user", "dn", "created_at", "last_seen_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
