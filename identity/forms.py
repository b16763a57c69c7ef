"""The owner's form for an OpenID Connect provider (/<slug>/admin/sso/). It only parses text into the
service's arguments; identity.services checks them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from identity.models import IdentityProvider


def _lines(text: str) -> list[tuple[str, str]]:
    """ "group = value" lines, blank lines skipped."""
    pairs = []
    for line in (text or "").splitlines():
        if line.strip():
            group, _sep, value = line.partition("=")
            pairs.append((group.strip(), value.strip()))
    return pairs


class OIDCProviderForm(forms.Form):
    name = forms.CharField(label=_("Name on the button"), max_length=80, help_text=_('"Sign in with <name>".'))
    issuer = forms.CharField(label=_("Issuer URL"), max_length=512, help_text=_("For example https://acme.okta.com"))
    client_id = forms.CharField(label=_("Client ID"), max_length=191)
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=191,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Never shown again. Leave empty to keep the current secret."),
    )
    scopes = forms.CharField(label=_("Scopes"), max_length=500, initial="openid email profile")
    trust_email = forms.BooleanField(
        label=_("Trust the email addresses this provider has verified"),
        required=False,
        help_text=_("Needed to make accounts on first sign-in. Off: only linked accounts sign in."),
    )
    allowed_domains = forms.CharField(
        label=_("Allowed email domains"),
        required=False,
        max_length=2000,
        help_text=_(
            "People with a verified address at these domains join as members on first sign-in. Separate with spaces."
        ),
    )
    email_claim = forms.CharField(label=_("Email claim"), max_length=64, initial="email")
    name_claim = forms.CharField(label=_("Name claim"), max_length=64, initial="name")
    groups_claim = forms.CharField(label=_("Groups claim"), max_length=64, required=False, initial="groups")
    group_roles = forms.CharField(
        label=_("Groups to roles"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: group = admin, member or guest."),
    )
    group_channels = forms.CharField(
        label=_("Groups to channels"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: group = channel-one channel-two"),
    )

    @classmethod
    def for_provider(cls, provider: IdentityProvider, data: Any = None) -> OIDCProviderForm:
        settings = provider.social_app.settings
        initial = {
            "name": provider.name,
            "issuer": settings.get("server_url", ""),
            "client_id": provider.social_app.client_id,
            "scopes": " ".join(settings.get("scope", [])),
            "trust_email": provider.trust_email,
            "allowed_domains": " ".join(provider.allowed_domains),
            "email_claim": provider.email_claim,
            "name_claim": provider.name_claim,
            "groups_claim": provider.groups_claim,
            "group_roles": "\n".join(f"{g} = {r}" for g, r in provider.group_roles.items()),
            "group_channels": "\n".join(f"{g} = {' '.join(c)}" for g, c in provider.group_channels.items()),
        }
        return cls(data=data, initial=initial)

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **{k: data[k] for k in ("name", "issuer", "client_id", "client_secret", "scopes", "trust_email")},
            **{k: data[k] for k in ("email_claim", "name_claim", "groups_claim")},
            "allowed_domains": data["allowed_domains"].replace(",", " ").split(),
            "group_roles": dict(_lines(data["group_roles"])),
            "group_channels": {g: v.split() for g, v in _lines(data["group_channels"])},
        }
