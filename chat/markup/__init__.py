"""Message text as the surfaces outside the browser show it: plain text (the text part of a missed-message
email, notification previews) and safe HTML (the email's HTML part).

The rendering is the web client's (static/js/client/markdown.js): Slack's mrkdwn, **bold**, ~~strike~~,
[label](https://…), bulleted and numbered lists, quotes and ``` code blocks, whose language hint is dropped.
`names` maps the public ids of the people, channels and user groups the reader may see to their names; a
person or group not among them keeps the markup's label, a channel becomes HIDDEN_CHANNEL. Every piece of
text is escaped on its way into HTML and only http(s) and mailto links are made, so a message can add no markup
to an email. Parsing is linear in the text (chat/markup/blocks.py, chat/markup/inline.py).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from chat.markup.blocks import Block, CodeBlock, ListBlock, Paragraph, Quote, parse_blocks
from chat.markup.inline import HIDDEN_CHANNEL, Code, Inline, Link, Styled, Text

__all__ = ["HIDDEN_CHANNEL", "to_html", "to_plain_text"]

# --- Plain text ------------------------------------------------------------------------------------------


def _plain_inline(parts: list[Inline] | tuple[Inline, ...]) -> str:
    out: list[str] = []
    for part in parts:
        if isinstance(part, Text | Code):
            out.append(part.text)
        elif isinstance(part, Link):
            shown = part.href.removeprefix("mailto:")
            out.append(part.label if part.label in (part.href, shown) else f"{part.label} ({shown})")
        else:
            out.append(_plain_inline(part.children))
    return "".join(out)


def _list_lines(block: ListBlock, depth: int) -> Iterator[tuple[str, str]]:
    """(first-line prefix, text) of each item, nested lists after their item."""
    for number, item in enumerate(block.items, start=block.start):
        marker = f"{number}." if block.ordered else "•"
        yield f"{'  ' * depth}{marker} ", _plain_inline(item.content)
        for inner in item.lists:
            yield from _list_lines(inner, depth + 1)


def _plain_lines(block: Block) -> Iterator[tuple[str, str, bool]]:
    """(prefix, text, may wrap) for each line of a block."""
    if isinstance(block, CodeBlock):
        for line in block.code.split("\n"):
            yield "", line, False
    elif isinstance(block, ListBlock):
        for prefix, text in _list_lines(block, 0):
            yield prefix, text, True
    else:
        prefix = "> " if isinstance(block, Quote) else ""
        for parts in block.lines:
            yield prefix, _plain_inline(parts), True


def to_plain_text(text: str, names: dict[str, str], *, width: int | None = None) -> str:
    """The message as plain lines: markers dropped, "label (address)" for a labelled link, "• " or "3. "
    before list items, "> " before quoted lines, code as typed. With `width`, lines other than code wrap
    under their own text (a list item's continuation lines align after its marker)."""
    out: list[str] = []
    for block in parse_blocks(text, names):
        for prefix, line, wraps in _plain_lines(block):
            if not width or not wraps or len(prefix) + len(line) <= width:
                out.append(prefix + line)
                continue
            hang = prefix if prefix.startswith(">") else " " * len(prefix)
            wrapped = textwrap.wrap(line, width, initial_indent=prefix, subsequent_indent=hang) or [prefix]
            out.extend(wrapped)
    return "\n".join(out)


# --- HTML ------------------------------------------------------------------------------------------------

# Email clients ignore stylesheets in many places, so each element carries its style.
STYLES = {
    "p": "margin:4px 0;",
    "blockquote": "margin:4px 0;padding-left:12px;border-left:4px solid #bbbabb;color:#454245;",
    "ul": "margin:4px 0;padding-left:24px;",
    "ol": "margin:4px 0;padding-left:24px;",
    "pre": (
        "margin:4px 0;padding:8px 12px;background:#f6f6f6;border:1px solid #dddddd;border-radius:4px;"
        "font:12px/1.5 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;overflow-wrap:anywhere;"
    ),
    "code": (
        "font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:#c01343;background:#f6f6f6;"
        "border:1px solid #dddddd;border-radius:3px;padding:1px 3px;"
    ),
    "a": "color:#1264a3;",
}


def _html_inline(parts: list[Inline] | tuple[Inline, ...]) -> str:
    out: list[str] = []
    for part in parts:
        if isinstance(part, Text):
            out.append(escape(part.text))
        elif isinstance(part, Code):
            out.append(f'<code style="{STYLES["code"]}">{escape(part.text)}</code>')
        elif isinstance(part, Link):
            out.append(f'<a href="{escape(part.href)}" style="{STYLES["a"]}">{escape(part.label)}</a>')
        elif isinstance(part, Styled):
            out.append(f"<{part.tag}>{_html_inline(part.children)}</{part.tag}>")
    return "".join(out)


def _html_list(block: ListBlock) -> str:
    tag = "ol" if block.ordered else "ul"
    start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
    items = "".join(
        f"<li>{_html_inline(item.content)}{''.join(_html_list(inner) for inner in item.lists)}</li>"
        for item in block.items
    )
    return f'<{tag}{start} style="{STYLES[tag]}">{items}</{tag}>'


def _html_block(block: Block) -> str:
    if isinstance(block, CodeBlock):
        return f'<pre style="{STYLES["pre"]}">{escape(block.code)}</pre>'
    if isinstance(block, ListBlock):
        return _html_list(block)
    tag = "blockquote" if isinstance(block, Quote) else "p"
    assert isinstance(block, Paragraph | Quote)
    return f'<{tag} style="{STYLES[tag]}">{"<br>".join(_html_inline(line) for line in block.lines)}</{tag}>'


def to_html(text: str, names: dict[str, str]) -> SafeString:
    """The message as HTML for an email: every piece of the message's text escaped, links http(s) or mailto."""
    return mark_safe("".join(_html_block(block) for block in parse_blocks(text, names)))
