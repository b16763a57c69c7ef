"""Slack's Block Kit blocks and legacy attachments, rendered to plain message text.

We store text only, so a message sent with blocks or attachments keeps their words: section and
header text, section fields, context elements, rich text; an attachment's pretext, title, text and
fields (its `fallback` when it has nothing else). Unknown block types are skipped.
"""

from __future__ import annotations

from typing import Any

from slackclone import jsonlimits


class BlocksError(ValueError):
    """Blocks or attachments that are not a list of objects; `error` is Slack's name for it
    (invalid_blocks, invalid_attachments), which each surface answers in its own way."""

    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


def _json_list(raw: Any, error: str) -> list:
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        try:
            raw = jsonlimits.loads(raw)
        except ValueError:
            raise BlocksError(error) from None
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise BlocksError(error)
    return raw


def _text_of(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text") or "") if isinstance(obj.get("text"), str) else _text_of(obj.get("text"))
    return ""


def _rich_text(elements: list) -> str:
    parts: list[str] = []
    for element in elements or []:
        if not isinstance(element, dict):
            continue
        if element.get("type") == "text":
            parts.append(str(element.get("text") or ""))
        elif element.get("type") == "link":
            parts.append(str(element.get("text") or element.get("url") or ""))
        elif element.get("type") == "user":
            parts.append(f"<@{element.get('user_id', '')}>")
        elif element.get("type") == "channel":
            parts.append(f"<#{element.get('channel_id', '')}>")
        elif element.get("type") == "emoji":
            parts.append(f":{element.get('name', '')}:")
        elif "elements" in element:
            parts.append(_rich_text(element["elements"]))
    return "".join(parts)


def _block_lines(block: dict) -> list[str]:
    kind = block.get("type")
    lines: list[str] = []
    if kind in ("section", "header"):
        lines.append(_text_of(block))
        lines += [_text_of(field) for field in block.get("fields") or [] if isinstance(field, dict)]
    elif kind == "context":
        lines.append(" ".join(_text_of(el) for el in block.get("elements") or [] if isinstance(el, dict)))
    elif kind == "rich_text":
        lines.append(_rich_text(block.get("elements") or []))
    elif kind == "image":
        lines.append(str(block.get("alt_text") or block.get("image_url") or ""))
    return [line for line in lines if line.strip()]


def _attachment_lines(attachment: dict) -> list[str]:
    lines = [str(attachment.get(key) or "") for key in ("pretext", "title", "text")]
    for field in attachment.get("fields") or []:
        if isinstance(field, dict):
            lines.append(f"{field.get('title', '')}: {field.get('value', '')}".strip(": "))
    lines = [line for line in lines if line.strip()]
    if not lines and attachment.get("fallback"):
        lines.append(str(attachment["fallback"]))
    for block in attachment.get("blocks") or []:
        if isinstance(block, dict):
            lines += _block_lines(block)
    return lines


def render_text(blocks: Any = None, attachments: Any = None) -> str:
    """The plain text of blocks and attachments (JSON values or their JSON text), one line per piece."""
    lines: list[str] = []
    for block in _json_list(blocks, "invalid_blocks"):
        lines += _block_lines(block)
    for attachment in _json_list(attachments, "invalid_attachments"):
        lines += _attachment_lines(attachment)
    return "\n".join(lines)


def message_text(text: Any, blocks: Any = None, attachments: Any = None) -> str:
    """What a message with these parts says, as Slack shows it: the blocks' words in place of `text`
    (which is then only the notification fallback), and each attachment's words below."""
    rendered_blocks = render_text(blocks=blocks)
    lines = [rendered_blocks or (text if isinstance(text, str) else "")]
    lines.append(render_text(attachments=attachments))
    return "\n".join(line for line in lines if line.strip())
