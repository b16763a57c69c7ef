"""Reading an OpenID Connect provider's discovery document, through slackclone.outgoing.

The issuer URL is typed by a workspace owner, so it is fetched like any other URL a person typed: public
addresses only (unless OUTGOING_ALLOWED_NETWORKS), no redirects, bounded in time and size. The same client
carries allauth's own requests during sign-in (identity.oidc.OutgoingSession).
"""

from __future__ import annotations

import json
from typing import Any

from slackclone import outgoing

DISCOVERY_PATH = "/.well-known/openid-configuration"
DISCOVERY_TIMEOUT_SECONDS = 5.0
DISCOVERY_MAX_BYTES = 256 * 1024
REQUIRED_FIELDS = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


class DiscoveryError(Exception):
    """The provider's configuration could not be read or is unusable; the message says why, for the owner."""


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + DISCOVERY_PATH


def fetch_discovery(issuer: str) -> dict[str, Any]:
    """The provider's discovery document, checked: its `issuer` is exactly the configured one (OpenID
    Connect Discovery 1.0, section 4.3), the endpoints are there, the code flow and PKCE S256 are offered
    when the provider lists what it offers. Raises DiscoveryError."""
    url = discovery_url(issuer)
    try:
        answer = outgoing.get(
            url,
            headers={"Accept": "application/json"},
            timeout=DISCOVERY_TIMEOUT_SECONDS,
            max_response_bytes=DISCOVERY_MAX_BYTES,
        )
    except outgoing.OutgoingError as exc:
        raise DiscoveryError(f"{url} could not be fetched ({exc.reason}).") from exc
    if answer.status != 200:
        raise DiscoveryError(f"{url} answered HTTP {answer.status}.")
    try:
        document = json.loads(answer.body)
    except ValueError as exc:
        raise DiscoveryError(f"{url} did not answer JSON.") from exc
    if not isinstance(document, dict):
        raise DiscoveryError(f"{url} did not answer a JSON object.")
    return check_discovery(issuer, document)


def check_discovery(issuer: str, document: dict[str, Any]) -> dict[str, Any]:
    missing = [name for name in REQUIRED_FIELDS if not isinstance(document.get(name), str)]
    if missing:
        raise DiscoveryError(f"The discovery document lacks {', '.join(missing)}.")
    if document["issuer"] != issuer:
        raise DiscoveryError(
            f"The provider calls itself {document['issuer']!r}, not {issuer!r}: copy its issuer exactly."
        )
    response_types = document.get("response_types_supported")
    if isinstance(response_types, list) and "code" not in response_types:
        raise DiscoveryError("The provider does not offer the authorization code flow.")
    pkce_methods = document.get("code_challenge_methods_supported")
    if isinstance(pkce_methods, list) and "S256" not in pkce_methods:
        raise DiscoveryError("The provider does not offer PKCE with S256.")
    return document
