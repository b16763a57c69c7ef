"""The sign-in policy form of the admin page (/<slug>/admin/sign-in/)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from identity.models import IdentityProvider, SignInPolicy
from workspaces.models import Role, Workspace

SESSION_UNITS = (("hours", _("hours")), ("days", _("days")))


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} <{obj.email}>"


class SignInPolicyForm(forms.Form):
    allow_password = forms.BooleanField(required=False, label=_("Email and password (and passkeys)"))
    allow_ldap = forms.BooleanField(required=False, label=_("Directory password (LDAP)"))
    allow_sso = forms.BooleanField(required=False, label=_("Single sign-on"))
    sso_providers = forms.ModelMultipleChoiceField(
        queryset=IdentityProvider.objects.none(),
        required=False,
        label=_("Only these providers"),
        help_text=_("None chosen: any enabled provider of the workspace."),
        widget=forms.CheckboxSelectMultiple,
    )
    sso_only = forms.BooleanField(
        required=False,
        label=_("Single sign-on only"),
        help_text=_("Passwords are refused, but for the break-glass owner."),
    )
    break_glass_owner = OwnerChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Break-glass owner"),
        help_text=_("An owner who may always sign in with a password, should the provider fail."),
    )
    allowed_email_domains = forms.CharField(
        required=False,
        label=_("Allowed email domains"),
        help_text=_("Separated by spaces or commas, such as example.com. Empty: any domain."),
        max_length=2000,
    )
    session_length = forms.IntegerField(required=False, min_value=1, max_value=8760, label=_("Session length"))
    session_unit = forms.ChoiceField(choices=SESSION_UNITS, initial="hours", label=_("Unit"))

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        providers = self.fields["sso_providers"]
        owners = self.fields["break_glass_owner"]
        assert isinstance(providers, forms.ModelMultipleChoiceField)
        assert isinstance(owners, forms.ModelChoiceField)
        providers.queryset = IdentityProvider.objects.filter(workspace=workspace)
        owners.queryset = User.objects.filter(
            memberships__workspace=workspace, memberships__role=Role.OWNER, memberships__is_active=True
        ).order_by("email")

    @staticmethod
    def initial_of(policy: SignInPolicy | None) -> dict[str, Any]:
        if policy is None:
            return {"allow_password": True, "allow_ldap": True, "allow_sso": True, "session_unit": "hours"}
        hours = policy.session_length_hours or 0
        in_days = bool(hours) and hours % 24 == 0
        return {
            "allow_password": policy.allow_password,
            "allow_ldap": policy.allow_ldap,
            "allow_sso": policy.allow_sso,
            "sso_providers": list(policy.sso_providers.all()),
            "sso_only": policy.sso_only,
            "break_glass_owner": policy.break_glass_owner,
            "allowed_email_domains": " ".join(policy.allowed_email_domains),
            "session_length": (hours // 24 if in_days else hours) if hours else None,
            "session_unit": "days" if in_days else "hours",
        }

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        length = data.get("session_length")
        hours = None if not length else length * (24 if data.get("session_unit") == "days" else 1)
        return {
            "allow_password": data["allow_password"],
            "allow_ldap": data["allow_ldap"],
            "allow_sso": data["allow_sso"],
            "sso_only": data["sso_only"],
            "sso_providers": list(data["sso_providers"]),
            "break_glass_owner": data["break_glass_owner"],
            "allowed_email_domains": data["allowed_email_domains"].replace(",", " ").split(),
            "session_length_hours": hours,
        }
