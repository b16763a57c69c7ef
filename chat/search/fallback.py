"""Search without PostgreSQL (the embedded SQLite default): case-insensitive substring matching.

Same modifiers, same ordering and paging, same response; no stemming and a naive score
(how many times the words occur). Every term is a substring here, so CJK text, identifiers,
prefixes and words inside longer words are found as on PostgreSQL (Django escapes % and _).
Fine for a one-process install, not for millions of messages.
"""

from __future__ import annotations

from django.db.models import QuerySet

from chat.models import Message
from chat.search.ordering import Position, after_position, newest_first
from chat.search.query import ParsedQuery
from chat.search.scope import Scope, scoped_messages

START, STOP = "\ue000", "\ue001"
SNIPPET_CONTEXT = 80


def _needles(parsed: ParsedQuery) -> list[str]:
    return parsed.needles


def matching(scope: Scope, parsed: ParsedQuery) -> QuerySet[Message]:
    messages = scoped_messages(scope)
    for needle in _needles(parsed):
        messages = messages.filter(text__icontains=needle)
    for excluded in parsed.excluded + parsed.excluded_fragments:
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


def _fold(text: str) -> str:
    """The text in lower case, one character for one character, so positions in it are positions in the text."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(char if len(char.lower()) != 1 else char.lower() for char in text)


def _next_hit(folded: str, needles: list[str], start: int) -> tuple[int, int] | None:
    """(position, length) of the earliest needle at or after `start`, the longest on a tie (needles come
    longest first). str.find is linear in the text, where a pattern of alternatives retries every needle at
    every position."""
    best: tuple[int, int] | None = None
    for needle in needles:
        position = folded.find(needle, start)
        if position >= 0 and (best is None or position < best[0]):
            best = (position, len(needle))
    return best


def snippet(text: str, parsed: ParsedQuery) -> str:
    """The text around the first hit, each hit wrapped in \ue000…\ue001 as ts_headline does on PostgreSQL."""
    needles = sorted({_fold(needle) for needle in _needles(parsed) if needle}, key=len, reverse=True)
    if not needles:
        return text[: SNIPPET_CONTEXT * 2]
    first = _next_hit(_fold(text), needles, 0)
    start = max(0, first[0] - SNIPPET_CONTEXT) if first else 0
    window = text[start : start + SNIPPET_CONTEXT * 3]
    folded, marked, done = _fold(window), [], 0
    while (hit := _next_hit(folded, needles, done)) is not None:
        position, length = hit
        marked += [window[done:position], START, window[position : position + length], STOP]
        done = position + length
    marked.append(window[done:])
    return ("…" if start else "") + "".join(marked) + ("…" if start + len(window) < len(text) else "")
