"""trigger_ids: the proof that a person just did something with an app (clicked, submitted, ran a command),
which the app exchanges for the right to open a modal in front of them (views.open, views.push).

As in Slack, a trigger_id is good for TRIGGER_SECONDS and only once, and only for the app it was given to:
an app cannot open a modal in front of someone who did nothing with it, or long after. It lives in the
cache (Redis on the real stack) for a while longer than it is good for, so a late exchange is told
`expired_trigger_id` rather than `invalid_trigger_id`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

from slackclone.errors import DomainError, ErrorCode

TRIGGER_SECONDS = 3
REMEMBERED_SECONDS = 600


@dataclass(frozen=True)
class Trigger:
    """Who did something, with which app, where: a channel's pk (None for a global shortcut or in a view),
    and the view's pk when it was done in a modal (where views.push puts the next one)."""

    app_pk: int
    user_pk: int
    channel_pk: int | None
    issued_at: float
    view_pk: int | None = None


def _key(trigger_id: str) -> str:
    return f"trigger:{trigger_id}"


def _used_key(trigger_id: str) -> str:
    return f"trigger-used:{trigger_id}"


def trigger_issue(
    *, app_pk: int, user_pk: int, channel_pk: int | None = None, view_pk: int | None = None, now: datetime | None = None
) -> str:
    """A new trigger_id in Slack's shape (digits.digits.hex) for an interaction `user_pk` had with the app."""
    issued = (now or timezone.now()).timestamp()
    trigger_id = f"{int(issued)}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"
    cache.set(_key(trigger_id), Trigger(app_pk, user_pk, channel_pk, issued, view_pk), REMEMBERED_SECONDS)
    return trigger_id


def trigger_exchange(*, trigger_id: str, app_pk: int, now: datetime | None = None) -> Trigger:
    """Spend a trigger_id for the app it was given to.

    Callers: views.open and views.push, for the calling app.
    Raises: invalid_trigger_id (unknown, malformed, or another app's), expired_trigger_id (older than
    TRIGGER_SECONDS), exchanged_trigger_id (already spent).
    """
    if not isinstance(trigger_id, str) or not 10 <= len(trigger_id) <= 80:
        raise DomainError(ErrorCode.INVALID_TRIGGER_ID, "That trigger_id is not one.")
    trigger = cache.get(_key(trigger_id))
    if not isinstance(trigger, Trigger) or trigger.app_pk != app_pk:
        raise DomainError(ErrorCode.INVALID_TRIGGER_ID, "No such trigger_id for this app.")
    if (now or timezone.now()).timestamp() - trigger.issued_at > TRIGGER_SECONDS:
        raise DomainError(ErrorCode.EXPIRED_TRIGGER_ID, "That trigger_id has expired: they last 3 seconds.")
    if not cache.add(_used_key(trigger_id), 1, REMEMBERED_SECONDS):
        raise DomainError(ErrorCode.EXCHANGED_TRIGGER_ID, "That trigger_id has already been used.")
    return trigger
