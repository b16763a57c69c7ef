"""Which single sign-on buttons a sign-in page shows."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from identity.models import IdentityProvider, ProviderKind

LOGIN_URLS = {
    ProviderKind.OIDC: ("openid_connect_login", "provider_id"),
    ProviderKind.SAML: ("saml_login", "organization_slug"),
}


@dataclass(frozen=True)
class SignInButton:
    name: str
    provider_id: str
    login_url: str  # POST here (allauth's provider login view) with `next`
    next: str


def workspace_slug_of(next_url: str) -> str | None:
    """The workspace a `next` address leads into (/<slug>/...), if it looks like one."""
    if not next_url.startswith("/") or next_url.startswith("//"):
        return None
    parts = [p for p in next_url.split("?", 1)[0].split("/") if p]
    return parts[0].lower() if parts else None


def _login_url(provider: IdentityProvider) -> str | None:
    url_name, kwarg = LOGIN_URLS[ProviderKind(provider.kind)]
    try:
        return reverse(url_name, kwargs={kwarg: provider.provider_id})
    except NoReverseMatch:  # that protocol's views are not installed
        return None


def sign_in_buttons(*, next_url: str = "") -> list[SignInButton]:
    """Enabled providers: those of the workspace `next` leads into when it has any (its sign-in page:
    `/<slug>/` signed out leads to the sign-in page with next=/<slug>/), else every workspace's (the site's
    sign-in page). Without `next`, a sign-in lands in the provider's workspace."""
    enabled = IdentityProvider.objects.filter(enabled=True).select_related("social_app", "workspace")
    slug = workspace_slug_of(next_url)
    own = enabled.filter(workspace__slug=slug) if slug else enabled.none()
    chosen = own.order_by("name") if own.exists() else enabled.order_by("workspace__name", "name")
    buttons = []
    for provider in chosen:
        url = _login_url(provider)
        if url is not None:
            buttons.append(
                SignInButton(provider.name, provider.provider_id, url, next_url or f"/{provider.workspace.slug}/")
            )
    return buttons
