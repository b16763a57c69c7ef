"""Reading a search box: words, "quoted phrases", -exclusions and Slack's modifiers.

Modifiers: in:#channel (or in:C…, in:@person for a DM), from:@person (or from:U…, from:me),
before:, after:, on: (YYYY-MM-DD, today, yesterday; in the searcher's time zone), has:link,
has:file, has:reaction, has:pin, is:thread. A word with a colon whose key is not one of these
is an ordinary word (so "3:30" is searchable).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from slackclone.errors import DomainError, ErrorCode

TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
MODIFIER_KEYS = frozenset({"in", "from", "before", "after", "on", "during", "has", "is"})
HAS_VALUES = frozenset({"link", "file", "reaction", "pin"})
IS_VALUES = frozenset({"thread"})
MAX_TERMS = 32


@dataclass
class ParsedQuery:
    words: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    before: date | None = None
    after: date | None = None
    on: date | None = None
    has: set[str] = field(default_factory=set)
    is_thread: bool = False

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases)

    @property
    def text(self) -> str:
        """The text part in websearch_to_tsquery's syntax: words, "phrases", -exclusions."""
        parts = [*self.words, *(f'"{phrase}"' for phrase in self.phrases), *(f"-{word}" for word in self.excluded)]
        return " ".join(parts)

    @property
    def has_filters(self) -> bool:
        return bool(self.channels or self.people or self.before or self.after or self.on or self.has or self.is_thread)


def _invalid(message: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_ARGUMENTS, message, fields={"q": "invalid"})


def parse_date(raw: str, today: date) -> date:
    lowered = raw.lower()
    if lowered == "today":
        return today
    if lowered == "yesterday":
        return today - timedelta(days=1)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise _invalid(f"{raw!r} is not a date; use YYYY-MM-DD, today or yesterday.") from None


def _apply_modifier(parsed: ParsedQuery, key: str, value: str, today: date) -> None:
    if not value:
        raise _invalid(f"{key}: needs a value.")
    if key == "in":
        parsed.channels.append(value)
    elif key == "from":
        parsed.people.append(value)
    elif key in ("before", "after", "on", "during"):
        setattr(parsed, "on" if key == "during" else key, parse_date(value, today))
    elif key == "has":
        if value.lower() not in HAS_VALUES:
            raise _invalid(f"has:{value} is not a filter; use one of {', '.join(sorted(HAS_VALUES))}.")
        parsed.has.add(value.lower())
    elif key == "is":
        if value.lower() not in IS_VALUES:
            raise _invalid(f"is:{value} is not a filter; use is:thread.")
        parsed.is_thread = True


def parse_query(raw: str, *, today: date) -> ParsedQuery:
    """Split the search box into text and modifiers; invalid_arguments for a modifier that cannot mean anything."""
    parsed = ParsedQuery()
    for negated, phrase, token in TOKEN_RE.findall(raw or ""):
        if token:
            key, colon, value = token.partition(":")
            if colon and key.lower() in MODIFIER_KEYS:
                _apply_modifier(parsed, key.lower(), value, today)
            elif token.startswith("-") and len(token) > 1:
                parsed.excluded.append(token[1:])
            elif token != "-":
                parsed.words.append(token)
            continue
        phrase = " ".join(phrase.split())
        if phrase:
            (parsed.excluded if negated else parsed.phrases).append(phrase)
    if len(parsed.words) + len(parsed.phrases) + len(parsed.excluded) > MAX_TERMS:
        raise _invalid(f"A search can have at most {MAX_TERMS} words and phrases.")
    if not parsed.has_text and not parsed.has_filters:
        raise _invalid("Search for some words, or use a filter such as from:@someone.")
    return parsed
