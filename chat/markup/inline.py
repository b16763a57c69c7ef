"""The inline markup of one line: Slack's and the Markdown habits static/js/client/markdown.js renders.

Slack's *bold*, _italic_, ~strike~ and `code`, its <…> references (people, channels, broadcasts, user groups,
links), bare URLs, and Markdown's **bold**, ~~strike~~ and [label](https://…). The pattern is the client's
INLINE, in Python's dialect: every alternative stops at the next delimiter or line end, so finding every token
of a line is linear in its length; a marker's content is read again only inside that token (at most once per
kind of marker), so a line costs a bounded number of passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy


def _marked(name: str, char: str, count: int, others: str) -> str:
    """A marker pair around text that starts and ends next to it: opening after the line's start, a space,
    an opening bracket or quote or another marker, closing before the end, a space or punctuation."""
    opening = rf"(?<![^\s(\[{{'\"{others}])"
    closing = rf"(?=$|[\s.,!?;:)\]}}'\"{others}])"
    marker = re.escape(char) * count
    return rf"{opening}(?P<{name}>{marker}(?=\S)[^{re.escape(char)}\n]*?{marker}){closing}"


# The lookahead names every token's first character, so a position that starts none is passed over with
# one test rather than one per alternative (Python's engine has no such prefilter of its own).
INLINE_RE = re.compile(
    r"(?=[`<\[h*~_:])(?:"
    + "|".join(
        [
            r"(?P<code>`[^`\n]+`)",
            r"(?P<angle><[^<>\s][^<>]*>)",
            r"(?P<mdlink>\[[^\[\]\n]{1,300}\]\(https?://[^\s()<>]{1,2000}\))",
            r"(?P<url>\bhttps?://[^\s<>]+[^\s<>.,;:!?)\]'\"])",
            _marked("dbold", "*", 2, "~_"),
            _marked("dstrike", "~", 2, r"\*_"),
            _marked("bold", "*", 1, "~_"),
            _marked("italic", "_", 1, r"~\*"),
            _marked("strike", "~", 1, r"\*_"),
            r"(?P<emoji>:[a-z0-9_+'-]+(?:::skin-tone-[2-6])?:)",
        ]
    )
    + ")"
)
ENTITY_RE = re.compile(r"&(lt|gt|amp);")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&"}
LINK_TARGET_RE = re.compile(r"(?:https?://|mailto:)\S+", re.IGNORECASE)
BROADCASTS = frozenset({"here", "channel", "everyone"})
HIDDEN_CHANNEL = gettext_lazy("private channel")
STYLE_TAGS = {"dbold": "strong", "bold": "strong", "italic": "em", "dstrike": "s", "strike": "s"}


def decode_entities(text: str) -> str:
    """Slack's three escapes, decoded once: `&amp;lt;` is the text `&lt;`."""
    return ENTITY_RE.sub(lambda m: _ENTITIES[m.group(1)], text)


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Link:
    href: str
    label: str


@dataclass(frozen=True)
class Styled:
    tag: str  # strong, em or s
    children: tuple[Inline, ...]


Inline = Text | Code | Link | Styled


def _angle(token: str, names: dict[str, str]) -> Inline:
    """A <…> reference as the reader sees it: names they may see, the markup's label otherwise."""
    target, _, label = token[1:-1].partition("|")
    if target.startswith("@"):
        return Text("@" + (names.get(target[1:]) or label or target[1:]))
    if target.startswith("#"):
        name = names.get(target[1:])
        return Text("#" + name if name else str(HIDDEN_CHANNEL))
    if target.startswith("!"):
        name, _, group = target[1:].partition("^")
        if name in BROADCASTS:
            return Text("@" + name)
        if name == "subteam" and group:
            return Text("@" + (names.get(group) or label.removeprefix("@") or group))
        return Text(decode_entities(label or token))
    if LINK_TARGET_RE.fullmatch(target):
        href = decode_entities(target)
        return Link(href=href, label=decode_entities(label) if label else href.removeprefix("mailto:"))
    return Text(decode_entities(token))


def parse_inline(line: str, names: dict[str, str]) -> list[Inline]:
    """The tokens of one line of stored text (entities still encoded), with references resolved by `names`."""
    out: list[Inline] = []
    last = 0
    for match in INLINE_RE.finditer(line):
        if match.start() > last:
            out.append(Text(decode_entities(line[last : match.start()])))
        token, kind = match.group(), match.lastgroup
        if kind == "code":
            out.append(Code(decode_entities(token[1:-1])))
        elif kind == "angle":
            out.append(_angle(token, names))
        elif kind == "mdlink":
            split = token.index("](")
            out.append(Link(href=decode_entities(token[split + 2 : -1]), label=decode_entities(token[1:split])))
        elif kind == "url":
            out.append(Link(href=decode_entities(token), label=decode_entities(token)))
        elif kind == "emoji":
            out.append(Text(token))
        else:
            width = 2 if kind in ("dbold", "dstrike") else 1
            out.append(Styled(STYLE_TAGS[str(kind)], tuple(parse_inline(token[width:-width], names))))
        last = match.end()
    if last < len(line):
        out.append(Text(decode_entities(line[last:])))
    return out
