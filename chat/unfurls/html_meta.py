"""A page's title, description, image and site name, read from its head: Open Graph (og:*), Twitter cards
(twitter:*), <title> and <meta name="description">.

Bounded and linear in the page: at most MAX_HTML_BYTES are decoded, the document is cut at its <body> (what
a preview needs is in the head), and a small scanner looks only at <meta> and <title> tags, each character
read once. The standard library's html.parser is not used: on Python before 3.13.4 it rescans an unfinished
tag from every '<' that follows (a page of "<a<a<a…" costs quadratic time). Comments are skipped whole, the
only patterns are single character classes (no backtracking), and every value kept is truncated.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

MAX_HTML_BYTES = 512 * 1024
MAX_ATTRIBUTES = 32
MAX_RAW_VALUE_CHARS = 4096
MAX_VALUE_CHARS = {"title": 300, "description": 1000, "image": 2048, "site_name": 200}
# Which meta tag gives which field, best first.
SOURCES: dict[str, tuple[str, ...]] = {
    "title": ("og:title", "twitter:title"),
    "description": ("og:description", "twitter:description", "description"),
    "image": ("og:image:secure_url", "og:image", "og:image:url", "twitter:image", "twitter:image:src"),
    "site_name": ("og:site_name", "application-name"),
}
WANTED = frozenset(name for names in SOURCES.values() for name in names)
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")  # keeps every index
SPACE_RE = re.compile(r"[\t\n\f\r /]*")
NAME_RE = re.compile(r"[^\t\n\f\r />=]*")
UNQUOTED_RE = re.compile(r"[^\t\n\f\r >]*")
TAG_NAME_RE = re.compile(r"[a-z0-9!?/-]*")


@dataclass(frozen=True)
class PageMeta:
    title: str = ""
    description: str = ""
    image: str = ""  # as written: may be relative to the page
    site_name: str = ""


def _attributes(text: str, lower: str, at: int) -> tuple[dict[str, str], int]:
    """The attributes of the tag whose name ends at `at`, and the index after its '>' (-1: no end)."""
    attrs: dict[str, str] = {}
    end = len(text)
    while True:
        at = SPACE_RE.match(text, at).end()  # type: ignore[union-attr]
        if at >= end:
            return attrs, -1
        if text[at] == ">":
            return attrs, at + 1
        name_end = NAME_RE.match(text, at).end() or at + 1  # type: ignore[union-attr]
        name, at = lower[at:name_end], name_end
        value = ""
        if text.startswith("=", at):
            at += 1
            if at < end and text[at] in "\"'":
                close = text.find(text[at], at + 1)
                if close < 0:
                    return attrs, -1
                value, at = text[at + 1 : close], close + 1
            else:
                value_end = UNQUOTED_RE.match(text, at).end()  # type: ignore[union-attr]
                value, at = text[at:value_end], value_end
        if len(attrs) < MAX_ATTRIBUTES and name not in attrs:
            attrs[name] = value[:MAX_RAW_VALUE_CHARS]


def _scan(text: str) -> tuple[dict[str, str], str]:
    """The wanted meta tags' contents (the first of each name) and the first <title>'s text."""
    lower = text.translate(ASCII_LOWER)
    meta: dict[str, str] = {}
    title = ""
    at = 0
    while (at := lower.find("<", at)) >= 0:
        if lower.startswith("<!--", at):
            close = lower.find("-->", at + 4)
            if close < 0:
                break
            at = close + 3
            continue
        name_end = TAG_NAME_RE.match(lower, at + 1).end()  # type: ignore[union-attr]
        name = lower[at + 1 : name_end]
        if name not in ("meta", "title"):
            at += 1
            continue
        attrs, at = _attributes(text, lower, name_end)
        if at < 0:
            break
        if name == "meta":
            key = (attrs.get("property") or attrs.get("name") or "").strip().lower()
            if key in WANTED and key not in meta and attrs.get("content", "").strip():
                meta[key] = html.unescape(attrs["content"])
        elif not title:
            close = lower.find("</title", at)
            title = html.unescape(text[at : close if close >= 0 else len(text)][:MAX_RAW_VALUE_CHARS])
            at = close if close >= 0 else len(text)
    return meta, title


def _head_of(body: bytes) -> bytes:
    body = body[:MAX_HTML_BYTES]
    cut = body.lower().find(b"<body")
    return body if cut < 0 else body[:cut]


def _squeeze(value: str, limit: int) -> str:
    return " ".join(value.split())[:limit]


def parse_page(body: bytes, *, charset: str = "utf-8") -> PageMeta:
    """What a preview shows of an HTML page (its bytes, in `charset`)."""
    head = _head_of(body)
    try:
        text = head.decode(charset or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        text = head.decode("utf-8", errors="replace")
    meta, title = _scan(text)
    found: dict[str, str] = {}
    for field, names in SOURCES.items():
        value = next((meta[name] for name in names if meta.get(name, "").strip()), "")
        found[field] = _squeeze(value, MAX_VALUE_CHARS[field])
    if not found["title"]:
        found["title"] = _squeeze(title, MAX_VALUE_CHARS["title"])
    return PageMeta(**found)
