"""Reading a search box: words, "quoted phrases", -exclusions and Slack's modifiers.

Modifiers: in:#channel (or in:C…, in:@person for a DM), from:@person (or from:U…, from:me),
before:, after:, on: (YYYY-MM-DD, today, yesterday; in the searcher's time zone), has:link,
has:file, has:reaction, has:pin, is:thread. A word with a colon whose key is not one of these
is an ordinary word (so "3:30" is searchable).

Each term is matched one of two ways. Plain words and phrases go to full-text search (stemmed).
Fragments are matched as a part of the text, anywhere: Chinese, Japanese and Korean text (written
without spaces between words, so no word parser can split it), identifiers (snake_case, camelCase,
dotted.names, anything with digits or underscores), prefixes (`deplo*`, or the last word while it is
being typed). A fragment in one of those scripts needs at least two characters: one would match
nearly every message in that script.
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
# Hiragana, Katakana, CJK ideographs (with extension A and the compatibility block), Hangul syllables
# and jamo, half-width Katakana, and the supplementary ideograph planes.
CJK_RE = re.compile(
    "[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f"
    "\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f]"
)
# snake_case and digits, camelCase, dotted.names: each alternative is one or three characters long.
IDENTIFIER_RE = re.compile(r"[_\d]|[a-z][A-Z]|\w\.\w")
MIN_CJK_FRAGMENT = 2


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
    fragments: list[str] = field(default_factory=list)
    excluded_fragments: list[str] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases or self.fragments)

    @property
    def has_full_text(self) -> bool:
        """Whether any term goes to full-text search (the others are fragments)."""
        return bool(self.words or self.phrases)

    @property
    def text(self) -> str:
        """The full-text part in websearch_to_tsquery's syntax: words, "phrases", -exclusions."""
        parts = [*self.words, *(f'"{phrase}"' for phrase in self.phrases), *(f"-{word}" for word in self.excluded)]
        return " ".join(parts)

    @property
    def needles(self) -> list[str]:
        """Every term the text must hold, as written (the operator word "or" is not one)."""
        return [word for word in self.words if word.lower() != "or"] + self.phrases + self.fragments

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


def is_fragment(term: str) -> bool:
    """Whether a term is matched as a part of the text rather than by full-text search."""
    return bool(CJK_RE.search(term) or IDENTIFIER_RE.search(term))


def _add_term(parsed: ParsedQuery, term: str, *, negated: bool, phrase: bool, prefix: bool) -> None:
    if prefix and not phrase:
        term = term.rstrip("*") or term
    if CJK_RE.search(term) and len(term) < MIN_CJK_FRAGMENT:
        raise _invalid(f"Search for at least {MIN_CJK_FRAGMENT} characters of Chinese, Japanese or Korean text.")
    if prefix or is_fragment(term):
        (parsed.excluded_fragments if negated else parsed.fragments).append(term)
    elif negated:
        parsed.excluded.append(term)
    else:
        (parsed.phrases if phrase else parsed.words).append(term)


def _term_count(parsed: ParsedQuery) -> int:
    lists = (parsed.words, parsed.phrases, parsed.excluded, parsed.fragments, parsed.excluded_fragments)
    return sum(len(terms) for terms in lists)


def parse_query(raw: str, *, today: date, typing: bool = False) -> ParsedQuery:
    """Split the search box into text and modifiers; invalid_arguments for a modifier that cannot mean anything.

    `typing`: the last word is still being typed, so it is a prefix (as `word*` is)."""
    parsed = ParsedQuery()
    tokens = TOKEN_RE.findall(raw or "")
    last_word = len(tokens) - 1 if typing and tokens and tokens[-1][2] else -1
    for index, (negated, phrase, token) in enumerate(tokens):
        if token:
            key, colon, value = token.partition(":")
            prefix = index == last_word or (token.endswith("*") and token.strip("-*") != "")
            if colon and key.lower() in MODIFIER_KEYS:
                _apply_modifier(parsed, key.lower(), value, today)
            elif token.startswith("-") and len(token) > 1:
                _add_term(parsed, token[1:], negated=True, phrase=False, prefix=prefix)
            elif token != "-":
                _add_term(parsed, token, negated=False, phrase=False, prefix=prefix)
            continue
        phrase = " ".join(phrase.split())
        if phrase:
            _add_term(parsed, phrase, negated=bool(negated), phrase=True, prefix=False)
    if _term_count(parsed) > MAX_TERMS:
        raise _invalid(f"A search can have at most {MAX_TERMS} words and phrases.")
    if not parsed.has_text and not parsed.has_filters:
        raise _invalid("Search for some words, or use a filter such as from:@someone.")
    return parsed
