"""Checking what an owner or the operator types when configuring a single sign-on provider.

Each check raises DomainError with a precise code, so the admin page, the Django admin and the command
name the field that is wrong. The rules here are shared by every kind of provider (OpenID Connect, SAML).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Role

NAME_MAX_CHARS = 80
CLIENT_ID_MAX_CHARS = 191  # allauth's SocialApp.client_id
CLIENT_SECRET_MAX_CHARS = 191
ISSUER_MAX_CHARS = 512
MAX_SCOPES = 20
MAX_DOMAINS = 50
MAX_GROUP_RULES = 100
_SCOPE_RE = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]{1,64}$")  # RFC 6749 scope-token
_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_CLAIM_RE = re.compile(r"^[A-Za-z0-9_:./-]{1,64}$")
MAPPABLE_ROLES = (Role.ADMIN, Role.MEMBER, Role.GUEST)  # never owner: owners are named by people, not groups


def check_provider_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX_CHARS:
        raise DomainError(
            ErrorCode.INVALID_NAME,
            "Give the provider a name of 1 to %(max)s characters.",
            fields={"name": "invalid"},
            params={"max": NAME_MAX_CHARS},
        )
    return name


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_issuer(issuer: str) -> str:
    """The issuer URL: https (http only on this machine's loopback, for tests and local providers), a host,
    no query, fragment or credentials. A trailing slash is kept: the issuer must match the provider's own
    `iss` exactly."""
    issuer = (issuer or "").strip()
    parts = urlsplit(issuer)
    host = (parts.hostname or "").lower()
    if (
        len(issuer) > ISSUER_MAX_CHARS
        or not host
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
        or "/.well-known/" in parts.path
        or not (parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(host)))
    ):
        raise DomainError(
            ErrorCode.INVALID_ISSUER,
            "The issuer must be an https URL such as https://login.example.com/ "
            "(without /.well-known/openid-configuration).",
            fields={"issuer": "invalid"},
        )
    return issuer


def check_client(client_id: str, client_secret: str, *, secret_required: bool = True) -> tuple[str, str]:
    client_id, client_secret = (client_id or "").strip(), (client_secret or "").strip()
    if not client_id or len(client_id) > CLIENT_ID_MAX_CHARS:
        raise DomainError(ErrorCode.INVALID_ARGUMENTS, "Enter the client ID.", fields={"client_id": "required"})
    if (secret_required and not client_secret) or len(client_secret) > CLIENT_SECRET_MAX_CHARS:
        raise DomainError(ErrorCode.INVALID_ARGUMENTS, "Enter the client secret.", fields={"client_secret": "required"})
    return client_id, client_secret


def check_scopes(scopes: str | Iterable[str]) -> list[str]:
    """Space- or comma-separated scope tokens; `openid` must be among them."""
    items = scopes.replace(",", " ").split() if isinstance(scopes, str) else [str(s).strip() for s in scopes]
    result = list(dict.fromkeys(s for s in items if s))
    if "openid" not in result or len(result) > MAX_SCOPES or not all(_SCOPE_RE.match(s) for s in result):
        raise DomainError(
            ErrorCode.INVALID_SCOPES,
            'The scopes must include "openid" (for example: openid email profile).',
            fields={"scopes": "invalid"},
        )
    return result


def check_domain(domain: str) -> str:
    """A DNS domain such as example.com: letters, digits and hyphens in dot-separated labels, no scheme,
    no @, no wildcard. Internationalised domains are stored in their ASCII (IDNA) form."""
    raw = (domain or "").strip().lower().rstrip(".")
    try:
        ascii_domain = raw.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_domain = ""
    labels = ascii_domain.split(".")
    if len(ascii_domain) > 253 or len(labels) < 2 or not all(_LABEL_RE.match(label) for label in labels):
        raise DomainError(
            ErrorCode.INVALID_DOMAIN,
            "%(domain)s is not a domain such as example.com.",
            fields={"allowed_domains": "invalid"},
            params={"domain": domain},
        )
    return ascii_domain


def check_domains(domains: Iterable[str]) -> list[str]:
    result = list(dict.fromkeys(check_domain(d) for d in domains if (d or "").strip()))
    if len(result) > MAX_DOMAINS:
        raise DomainError(
            ErrorCode.INVALID_DOMAIN,
            "At most %(max)s domains.",
            fields={"allowed_domains": "too_many"},
            params={"max": MAX_DOMAINS},
        )
    return result


def check_claim(value: str, field: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if (required or value) and not _CLAIM_RE.match(value):
        raise DomainError(
            ErrorCode.INVALID_CLAIM_MAPPING,
            "%(field)s must be a claim name such as email.",
            fields={field: "invalid"},
            params={"field": field},
        )
    return value


def check_group_roles(mapping: Mapping[str, str] | None) -> dict[str, str]:
    """{"idp-group": "admin" | "member" | "guest"}."""
    result = {str(k).strip(): str(v).strip() for k, v in (mapping or {}).items()}
    if len(result) > MAX_GROUP_RULES or not all(k and v in MAPPABLE_ROLES for k, v in result.items()):
        raise DomainError(
            ErrorCode.INVALID_CLAIM_MAPPING,
            "Map each group to admin, member or guest.",
            fields={"group_roles": "invalid"},
        )
    return result


def check_group_channels(mapping: Mapping[str, Iterable[str]] | None) -> dict[str, list[str]]:
    """{"idp-group": ["channel-name", ...]}: channel names without the #."""
    result: dict[str, list[str]] = {}
    for group, channels in (mapping or {}).items():
        names = [str(c).strip().lstrip("#") for c in ([channels] if isinstance(channels, str) else channels)]
        if not str(group).strip() or not all(names):
            raise DomainError(
                ErrorCode.INVALID_CLAIM_MAPPING,
                "Map each group to a list of channel names.",
                fields={"group_channels": "invalid"},
            )
        result[str(group).strip()] = names
    if len(result) > MAX_GROUP_RULES:
        raise DomainError(
            ErrorCode.INVALID_CLAIM_MAPPING,
            "Map each group to a list of channel names.",
            fields={"group_channels": "invalid"},
        )
    return result
