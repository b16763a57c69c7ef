"""Opaque cursors for keyset pages. A cursor names a position (public ids, a ts), never a row number
or a database key, and a client passes it back unchanged."""

from __future__ import annotations

import base64
import binascii

from slackclone.errors import DomainError, ErrorCode

SEPARATOR = "\x1f"


def encode_cursor(*parts: str) -> str:
    return base64.urlsafe_b64encode(SEPARATOR.join(parts).encode()).decode().rstrip("=")


def decode_cursor(raw: str, parts: int) -> list[str]:
    """The parts a cursor was made of; invalid_arguments for anything this API did not hand out."""
    try:
        decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = None
    values = decoded.split(SEPARATOR) if decoded is not None else []
    if len(values) != parts or not all(values) or any("\x00" in value for value in values):
        raise DomainError(ErrorCode.INVALID_ARGUMENTS, "That cursor is not valid.", fields={"cursor": "invalid"})
    return values
