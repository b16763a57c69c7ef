"""The Django admin for single sign-on providers: writes through identity.services as the operator.

The client secret is write-only here and in allauth's SocialApp admin (replaced below): it is never
rendered back into a page.
"""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.admin import SocialAppAdmin, SocialAppForm
from allauth.socialaccount.models import SocialApp
from django import forms
from django.contrib import admin
from django.http import HttpRequest

from identity import services
from identity.models import IdentityProvider, ProviderKind
from slackclone.admin_base import ServiceModelAdmin, run_service_action

RULES = (
    "name",
    "trust_email",
    "allowed_domains",
    "email_claim",
    "name_claim",
    "groups_claim",
    "group_roles",
    "group_channels",
)


class IdentityProviderForm(forms.ModelForm):
    issuer = forms.CharField(max_length=512, help_text="The provider's issuer URL (https).")
    client_id = forms.CharField(max_length=191)
    client_secret = forms.CharField(
        max_length=191,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Write-only. Empty keeps the current secret.",
    )
    scopes = forms.CharField(max_length=500, initial="openid email profile")

    class Meta:
        model = IdentityProvider
        fields = ("workspace", *RULES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            app = self.instance.social_app
            self.fields["workspace"].disabled = True
            self.initial.update(
                issuer=app.settings.get("server_url", ""),
                client_id=app.client_id,
                scopes=" ".join(app.settings.get("scope", [])),
            )

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {k: data[k] for k in ("issuer", "client_id", "client_secret", "scopes", *RULES)}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.instance.pk and not data.get("client_secret"):
            self.add_error("client_secret", "Enter the client secret.")
        return data


@admin.register(IdentityProvider)
class IdentityProviderAdmin(ServiceModelAdmin[IdentityProvider]):
    form = IdentityProviderForm
    list_display = ("name", "workspace", "kind", "enabled", "trust_email", "last_error", "last_checked_at")
    list_filter = ("kind", "enabled")
    search_fields = ("name", "workspace__slug", "social_app__provider_id")
    readonly_fields = ("kind", "enabled", "last_error", "last_checked_at", "redirect_uri")
    actions = ("enable", "disable", "check_configuration", "remove")

    @admin.display(description="Redirect URI")
    def redirect_uri(self, obj: IdentityProvider) -> str:
        return services.redirect_uri(obj.provider_id) if obj.pk and obj.kind == ProviderKind.OIDC else ""

    def create_through_service(self, request: HttpRequest, form: forms.ModelForm) -> IdentityProvider:
        assert isinstance(form, IdentityProviderForm)
        # A DomainError becomes an error message (ServiceModelAdmin.changeform_view), nothing written.
        return services.identity_provider_create_oidc(
            actor=None, workspace=form.cleaned_data["workspace"], **form.service_arguments()
        )

    def save_form(self, request: HttpRequest, form: forms.ModelForm, change: bool) -> IdentityProvider:
        if not change:
            return self.create_through_service(request, form)
        assert isinstance(form, IdentityProviderForm)
        provider = IdentityProvider.objects.get(pk=form.instance.pk)
        return services.identity_provider_update(actor=None, provider=provider, **form.service_arguments())

    def save_model(self, request: HttpRequest, obj: IdentityProvider, form: forms.ModelForm, change: bool) -> None:
        """Written by save_form's service call."""

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        """Nothing related: the service wrote the SocialApp too."""

    @admin.action(description="Turn on", permissions=["operate"])
    def enable(self, request: HttpRequest, queryset: Any) -> None:
        run_service_action(
            self,
            request,
            queryset,
            lambda p: services.identity_provider_set_enabled(actor=None, provider=p, enabled=True),
            done="Turned on",
        )

    @admin.action(description="Turn off", permissions=["operate"])
    def disable(self, request: HttpRequest, queryset: Any) -> None:
        run_service_action(
            self,
            request,
            queryset,
            lambda p: services.identity_provider_set_enabled(actor=None, provider=p, enabled=False),
            done="Turned off",
        )

    @admin.action(description="Check the configuration", permissions=["operate"])
    def check_configuration(self, request: HttpRequest, queryset: Any) -> None:
        run_service_action(
            self, request, queryset, lambda p: services.identity_provider_check(provider=p), done="Checked"
        )

    @admin.action(description="Remove (and unlink its accounts)", permissions=["remove"])
    def remove(self, request: HttpRequest, queryset: Any) -> None:
        run_service_action(
            self, request, queryset, lambda p: services.identity_provider_delete(actor=None, provider=p), done="Removed"
        )


class SecretHidingSocialAppForm(SocialAppForm):
    """allauth's form with a write-only secret: empty keeps the stored one."""

    class Meta(SocialAppForm.Meta):
        widgets = {**SocialAppForm.Meta.widgets, "secret": forms.PasswordInput(render_value=False)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["secret"].required = False

    def clean_secret(self) -> str:
        return self.cleaned_data.get("secret") or (self.instance.secret if self.instance.pk else "")


class SecretHidingSocialAppAdmin(SocialAppAdmin):
    form = SecretHidingSocialAppForm


if admin.site.is_registered(SocialApp):
    admin.site.unregister(SocialApp)
admin.site.register(SocialApp, SecretHidingSocialAppAdmin)
