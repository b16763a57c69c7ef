"""Audit page positions as the opaque cursors the REST API and the audit page hand out."""

from __future__ import annotations

from datetime import datetime

from audit.selectors import AuditPosition
from slackclone.api.pagination import decode_cursor, encode_cursor
from slackclone.errors import DomainError, ErrorCode


def position_to_cursor(position: AuditPosition) -> str:
    return encode_cursor(position.created_at.isoformat(), str(position.id))


def cursor_to_position(raw: str) -> AuditPosition:
    """The position a cursor names; invalid_arguments for anything this site did not hand out."""
    created_at, number = decode_cursor(raw, 2)
    try:
        when = datetime.fromisoformat(created_at)
        position = AuditPosition(created_at=when, id=int(number))
    except ValueError:
        position = None
    if position is None or when.tzinfo is None or position.id < 1:
        raise DomainError(ErrorCode.INVALID_ARGUMENTS, "That cursor is not valid.", fields={"cursor": "invalid"})
    return position
