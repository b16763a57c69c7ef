"""The owner's forms for OpenID Connect and SAML providers (/<slug>/admin/sso/). It only parses text into the
service's arguments; identity.services checks them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from identity.models import IdentityProvider
from identity.saml.metadata import MAX_METADATA_BYTES


def _lines(text: str) -> list[tuple[str, str]]:
    """ "group = value" lines, blank lines skipped."""
    pairs = []
    for line in (text or "").splitlines():
        if line.strip():
            group, _sep, value = line.partition("=")
            pairs.append((group.strip(), value.strip()))
    return pairs


class ProviderRulesForm(forms.Form):
    """The rules every kind of provider has: email trust, domains, claim (attribute) names, group rules."""

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

    @staticmethod
    def rules_initial(provider: IdentityProvider) -> dict[str, Any]:
        return {
            "trust_email": provider.trust_email,
            "allowed_domains": " ".join(provider.allowed_domains),
            "email_claim": provider.email_claim,
            "name_claim": provider.name_claim,
            "groups_claim": provider.groups_claim,
            "group_roles": "\n".join(f"{g} = {r}" for g, r in provider.group_roles.items()),
            "group_channels": "\n".join(f"{g} = {' '.join(c)}" for g, c in provider.group_channels.items()),
        }

    def rules_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **{k: data[k] for k in ("trust_email", "email_claim", "name_claim", "groups_claim")},
            "allowed_domains": data["allowed_domains"].replace(",", " ").split(),
            "group_roles": dict(_lines(data["group_roles"])),
            "group_channels": {g: v.split() for g, v in _lines(data["group_channels"])},
        }


class OIDCProviderForm(ProviderRulesForm):
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

    field_order = ["name", "issuer", "client_id", "client_secret", "scopes"]

    @classmethod
    def for_provider(cls, provider: IdentityProvider, data: Any = None) -> OIDCProviderForm:
        settings = provider.social_app.settings
        initial = {
            "name": provider.name,
            "issuer": settings.get("server_url", ""),
            "client_id": provider.social_app.client_id,
            "scopes": " ".join(settings.get("scope", [])),
            **cls.rules_initial(provider),
        }
        return cls(data=data, initial=initial)

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **{k: data[k] for k in ("name", "issuer", "client_id", "client_secret", "scopes")},
            **self.rules_arguments(),
        }


class SAMLProviderForm(ProviderRulesForm):
    """The owner's form for a SAML provider: the rules of the OpenID Connect form (email trust, domains,
    attribute names, group rules) with the IdP's metadata instead of an issuer and client."""

    name = forms.CharField(label=_("Name on the button"), max_length=40, help_text=_('"Sign in with <name>".'))
    metadata_url = forms.URLField(
        label=_("Metadata URL"),
        max_length=2000,
        required=False,
        assume_scheme="https",
        help_text=_(
            "The identity provider's SAML metadata address, for example https://acme.okta.com/app/…/sso/saml/metadata"
        ),
    )
    metadata_xml = forms.CharField(
        label=_("Or paste the metadata XML"),
        max_length=MAX_METADATA_BYTES,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_("At most 512 KiB."),
    )
    idp_initiated = forms.BooleanField(
        label=_("Accept sign-ins started at the identity provider's portal"), required=False, initial=True
    )
    email_claim = forms.CharField(label=_("Email attribute"), max_length=64, initial="email")
    name_claim = forms.CharField(label=_("Name attribute"), max_length=64, initial="displayName")
    groups_claim = forms.CharField(label=_("Groups attribute"), max_length=64, required=False, initial="groups")
    field_order = ["name", "metadata_url", "metadata_xml", "idp_initiated", "trust_email", "allowed_domains"]

    def __init__(self, *args: Any, current_metadata_url: str | None = None, **kwargs: Any) -> None:
        """current_metadata_url: None to add a provider (metadata required), else the stored URL (editing:
        the metadata is fetched again only when the URL changes or a document is pasted)."""
        super().__init__(*args, **kwargs)
        self.current_metadata_url = current_metadata_url
        if current_metadata_url is not None:
            self.fields["metadata_url"].help_text = _("Leave as it is and the XML empty to keep the current metadata.")

    @classmethod
    def for_saml_provider(cls, provider: IdentityProvider, data: Any = None) -> SAMLProviderForm:
        app_settings = provider.social_app.settings
        url = (app_settings.get("slackclone") or {}).get("metadata_url") or ""
        initial = {
            "name": provider.name,
            "metadata_url": url,
            "idp_initiated": not (app_settings.get("advanced") or {}).get("reject_idp_initiated_sso", False),
            **cls.rules_initial(provider),
        }
        return cls(data=data, initial=initial, current_metadata_url=url)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        url, xml = data.get("metadata_url") or "", (data.get("metadata_xml") or "").strip()
        if url and xml and (self.current_metadata_url is None or url != self.current_metadata_url):
            raise forms.ValidationError(_("Give the metadata URL or paste the metadata XML, not both."))
        if self.current_metadata_url is None and not url and not xml and not self.errors:
            raise forms.ValidationError(_("Give the metadata URL or paste the metadata XML."))
        return data

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        url, xml = data["metadata_url"] or "", data["metadata_xml"].strip()
        arguments: dict[str, Any] = {"name": data["name"], "idp_initiated": data["idp_initiated"]}
        arguments |= self.rules_arguments()
        if xml:
            arguments["metadata_xml"] = xml
        elif url and url != self.current_metadata_url:
            arguments["metadata_url"] = url
        return arguments
