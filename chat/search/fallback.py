"""Search without PostgreSQL (the embedded SQLite default): case-insensitive substring matching.

Same modifiers, same ordering and paging, same response; no stemming and a naive score
(how many times the words occur). Fine for a one-process install, not for millions of messages.
"""

from __future__ import annotations

import re

from django.db.models import QuerySet

from chat.models import Message
from chat.search.ordering import Position, after_position, newest_first
from chat.search.query import ParsedQuery
from chat.search.scope import Scope, scoped_messages

START, STOP = "\ue000", "\ue001"
SNIPPET_CONTEXT = 80
# websearch_to_tsquery's operator word; not a word to look for.
OPERATORS = frozenset({"or"})


def _needles(parsed: ParsedQuery) -> list[str]:
    return [word for word in parsed.words if word.lower() not in OPERATORS] + parsed.phrases


def matching(scope: Scope, parsed: ParsedQuery) -> QuerySet[Message]:
    messages = scoped_messages(scope)
    for needle in _needles(parsed):
        messages = messages.filter(text__icontains=needle)
    for excluded in parsed.excluded:
        messages = messages.exclude(text__icontains=excluded)
    return messages


def page_ids(scope: Scope, parsed: ParsedQuery, *, sort: str, position: Position | None, limit: int) -> list[int]:
    messages = matching(scope, parsed)
    if position is not None:
        messages = after_position(messages, position, single_channel=scope.single_channel)
    ordered = newest_first(messages, single_channel=scope.single_channel).values_list("pk", flat=True)
    return list(ordered[: limit + 1])


def score(text: str, parsed: ParsedQuery) -> float:
    lowered = text.lower()
    return float(sum(lowered.count(needle.lower()) for needle in _needles(parsed)))


def snippet(text: str, parsed: ParsedQuery) -> str:
    """The text around the first hit, each hit wrapped in \\ue000…\\ue001 as ts_headline does on PostgreSQL."""
    needles = [needle for needle in _needles(parsed) if needle]
    if not needles:
        return text[: SNIPPET_CONTEXT * 2]
    pattern = re.compile("|".join(re.escape(needle) for needle in sorted(needles, key=len, reverse=True)), re.I)
    first = pattern.search(text)
    start = max(0, first.start() - SNIPPET_CONTEXT) if first else 0
    window = text[start : start + SNIPPET_CONTEXT * 3]
    marked = pattern.sub(lambda match: f"{START}{match.group(0)}{STOP}", window)
    return ("…" if start else "") + marked + ("…" if start + len(window) < len(text) else "")
