"""The IdP's SAML metadata: fetched from its URL through slackclone.outgoing (no private addresses
unless allowed, a time limit, a size limit, no redirects) or read from a file, then parsed by
python3-saml's metadata parser (which refuses DTDs and entities).

We keep the parsed entity id, sign-on URL and signing certificate in the SocialApp, so a sign-in never
waits on the IdP's metadata URL, and allauth's own unbounded fetch of `metadata_url` is never used.
"""

from __future__ import annotations

from dataclasses import dataclass

from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from slackclone import outgoing
from slackclone.errors import DomainError, ErrorCode

MAX_METADATA_BYTES = 512 * 1024
FETCH_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class IdPMetadata:
    entity_id: str
    sso_url: str
    x509cert: str
    slo_url: str = ""


INVALID = ErrorCode.INVALID_SAML_METADATA
FIELDS = {"metadata": "invalid"}


def fetch(url: str) -> bytes:
    """GET the metadata document. Raises DomainError(invalid_saml_metadata) with the reason."""
    try:
        response = outgoing.get(url, timeout=FETCH_TIMEOUT_SECONDS, max_response_bytes=MAX_METADATA_BYTES)
    except outgoing.OutgoingError as error:
        raise DomainError(
            INVALID,
            "The metadata URL could not be fetched (%(reason)s).",
            fields=FIELDS,
            params={"reason": error.reason},
        ) from error
    if response.status != 200:
        raise DomainError(
            INVALID, "The metadata URL answered HTTP %(status)s.", fields=FIELDS, params={"status": response.status}
        )
    return response.body


def parse(document: bytes | str) -> IdPMetadata:
    """The first IdP in the document with an HTTP-Redirect sign-on URL and a signing certificate."""
    if isinstance(document, str):
        document = document.encode()
    if not document.strip():
        raise DomainError(INVALID, "The metadata is empty.", fields=FIELDS)
    if len(document) > MAX_METADATA_BYTES:
        raise DomainError(
            INVALID, "The metadata is larger than %(max)s bytes.", fields=FIELDS, params={"max": MAX_METADATA_BYTES}
        )
    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(document)
    except Exception as error:  # lxml's and python3-saml's parse errors have no common base
        raise DomainError(
            INVALID, "The metadata is not valid XML: %(error)s", fields=FIELDS, params={"error": str(error)[:200]}
        ) from error
    idp = parsed.get("idp") or {}
    entity_id = idp.get("entityId") or ""
    sso_url = (idp.get("singleSignOnService") or {}).get("url") or ""
    certs = idp.get("x509certMulti", {}).get("signing") or ([idp["x509cert"]] if idp.get("x509cert") else [])
    if not entity_id:
        raise DomainError(
            INVALID, "The metadata describes no identity provider (IDPSSODescriptor with an entityID).", fields=FIELDS
        )
    if not sso_url:
        raise DomainError(
            INVALID, "The metadata has no single sign-on URL with the HTTP-Redirect binding.", fields=FIELDS
        )
    if not certs:
        raise DomainError(INVALID, "The metadata has no signing certificate.", fields=FIELDS)
    if not sso_url.startswith(("https://", "http://")):
        raise DomainError(INVALID, "The single sign-on URL is not an http(s) URL.", fields=FIELDS)
    return IdPMetadata(
        entity_id=entity_id,
        sso_url=sso_url,
        x509cert=certs[0],
        slo_url=(idp.get("singleLogoutService") or {}).get("url") or "",
    )
