"""The directory page's form: the shape of what was typed; directory.services checks the rest."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from directory.models import Directory

FIELDS = (
    "enabled", "server_uri", "start_tls", "timeout_seconds", "bind_dn", "user_search_base", "user_filter",
    "attr_email", "attr_full_name", "attr_display_name", "group_search_base", "group_type", "owner_group_dn",
    "admin_group_dn", "member_group_dn", "guest_group_dn",
)  # fmt: skip


class DirectoryForm(forms.ModelForm):
    """Every setting but the operator's trust; the bind password is write-only (blank keeps the stored one)."""

    bind_password = forms.CharField(
        label=_("Bind password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown. Leave empty to keep the stored password."),
    )
    clear_bind_password = forms.BooleanField(label=_("Remove the stored bind password"), required=False)
    # The password beside the bind DN it belongs to.
    field_order = [*FIELDS[: FIELDS.index("bind_dn") + 1], "bind_password", "clear_bind_password"]

    class Meta:
        model = Directory
        fields = FIELDS
        labels = {
            "enabled": _("Allow sign-in with directory passwords"),
            "server_uri": _("Server address"),
            "start_tls": _("Use StartTLS"),
            "timeout_seconds": _("Timeout (seconds)"),
            "bind_dn": _("Bind DN (service account)"),
            "user_search_base": _("User search base"),
            "user_filter": _("User filter"),
            "attr_email": _("Email attribute"),
            "attr_full_name": _("Full name attribute"),
            "attr_display_name": _("Display name attribute"),
            "group_search_base": _("Group search base"),
            "group_type": _("Group type"),
            "owner_group_dn": _("Owners' group DN"),
            "admin_group_dn": _("Admins' group DN"),
            "member_group_dn": _("Members' group DN"),
            "guest_group_dn": _("Guests' group DN"),
        }
        help_texts = {
            "server_uri": _("ldap://host:389 or ldaps://host:636"),
            "user_filter": _("%(user)s is what the person types, for example (mail=%(user)s)."),
            "member_group_dn": _("When set, only people in one of the groups may sign in; when empty, everyone "
                                 "the filter finds is at least a member."),
        }  # fmt: skip

    def service_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in FIELDS}

    def bind_password_change(self) -> str | None:
        """ "" removes the stored password, None keeps it, anything else replaces it."""
        if self.cleaned_data.get("clear_bind_password"):
            return ""
        return self.cleaned_data.get("bind_password") or None
