"""The web links a message's text holds, in order: Slack's `<url>` and `<url|label>` markup, and bare URLs.

One regular expression, linear in the text: a label never holds '<' or '>' (chat.text), and a bare URL is a
run of characters that are neither spaces nor markup, so no match rescans what an earlier one read.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

URL_MAX_CHARS = 2048  # slackclone.outgoing's limit: a longer link could never be fetched
LINK_RE = re.compile(r"<(https?://[^|<>\s]+)(?:\|[^<>]*)?>|(https?://[^\s<>\"'`|]+)", re.IGNORECASE)
# Punctuation that ends a sentence rather than a bare URL ("see https://example.com.").
TRAILING = ".,;:!?)]}'\"*_~"
ESCAPES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def _clean(raw: str, *, bare: bool) -> str | None:
    url = raw.rstrip(TRAILING) if bare else raw
    for escaped, plain in ESCAPES:  # Slack's text escapes these three
        url = url.replace(escaped, plain)
    if len(url) > URL_MAX_CHARS:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def message_links(text: str, *, limit: int) -> list[str]:
    """Up to `limit` distinct http(s) links of `text`, in the order they appear."""
    links: list[str] = []
    for match in LINK_RE.finditer(text):
        url = _clean(match.group(1), bare=False) if match.group(1) else _clean(match.group(2), bare=True)
        if url is not None and url not in links:
            links.append(url)
            if len(links) >= limit:
                break
    return links


def added_links(previous_text: str, text: str, *, limit: int) -> list[str]:
    """The links of `text` that `previous_text` did not hold (what an edit added), at most `limit`."""
    before = set(message_links(previous_text, limit=limit))
    return [url for url in message_links(text, limit=limit) if url not in before]


def link_host(url: str) -> str:
    """The link's host name, lower case, without a trailing dot ('' if it has none)."""
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def host_in_domain(host: str, domain: str) -> bool:
    """Whether `host` is `domain` or one of its subdomains (Slack's rule for unfurl domains)."""
    return host == domain or host.endswith("." + domain)
