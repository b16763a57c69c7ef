"""From what allauth verified to identity.provisioning.SignInClaims, per provider kind, using the claim
names the workspace configured (email_claim, name_claim, groups_claim)."""

from __future__ import annotations

from typing import Any

from allauth.core.internal.datakit import parse_bool_safely

from identity.models import IdentityProvider, ProviderKind
from identity.provisioning import SignInClaims

MAX_GROUPS = 200
MAX_TEXT = 254


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()[:MAX_TEXT]


def _groups(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else ([value] if value else [])
    return tuple(str(item) for item in items[:MAX_GROUPS] if isinstance(item, str | int))


def from_oidc(provider: IdentityProvider, data: dict[str, Any]) -> SignInClaims:
    """`data` is allauth's extra_data: {"id_token": claims, "userinfo": claims}; userinfo is more complete,
    the ID token's subject is the one verified (identity.oidc checked that they agree)."""
    merged = {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}
    return SignInClaims(
        subject=_text((data.get("id_token") or merged).get("sub")),
        email=_text(merged.get(provider.email_claim)),
        email_verified=parse_bool_safely(merged.get("email_verified")) is True,
        name=_text(merged.get(provider.name_claim)),
        groups=_groups(merged.get(provider.groups_claim)) if provider.groups_claim else (),
    )


def from_saml(provider: IdentityProvider, uid: str, attributes: dict[str, Any]) -> SignInClaims:
    """A signed assertion's attributes (lists of values). The assertion itself vouches for the email;
    the workspace's trust_email still decides whether it is believed."""
    return SignInClaims(
        subject=uid,
        email=_text(attributes.get(provider.email_claim)),
        email_verified=True,
        name=_text(attributes.get(provider.name_claim)),
        groups=_groups(attributes.get(provider.groups_claim)) if provider.groups_claim else (),
    )


def from_sociallogin(provider: IdentityProvider, sociallogin: Any) -> SignInClaims:
    data = sociallogin.account.extra_data or {}
    if provider.kind == ProviderKind.SAML:
        return from_saml(provider, sociallogin.account.uid, data)
    return from_oidc(provider, data)
