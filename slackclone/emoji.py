"""Emoji shortcodes: the one rule for a name, shared by reactions, statuses and bot icons."""

from __future__ import annotations

import re

from slackclone.errors import DomainError, ErrorCode

EMOJI_NAME_RE = re.compile(r"^[a-z0-9_+'-]{1,100}(::skin-tone-[2-6])?$")


def check_emoji_name(raw: str) -> str:
    """An emoji shortcode without colons: `thumbsup`, `+1`, `wave::skin-tone-3`."""
    name = (raw or "").strip().strip(":").lower()
    if not EMOJI_NAME_RE.match(name):
        raise DomainError(
            ErrorCode.INVALID_EMOJI,
            "%(raw)s is not an emoji name (use a shortcode such as thumbsup).",
            fields={"name": "invalid"},
            params={"raw": f"{raw!r}"},
        )
    return name
