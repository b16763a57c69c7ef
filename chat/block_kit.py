"""Block Kit on input: blocks and legacy attachments checked against Slack's limits, as Slack checks them.

Slack refuses a bad payload with `invalid_blocks` (or `invalid_attachments`) and a JSON pointer to the
first offending value ("must be more than 0 characters [json-pointer:/blocks/0/text/text]"); so do we,
through DomainError, whose `fields["pointer"]` the Slack-compatible API turns into Slack's `errors`.

What passes is stored as sent, with two changes Slack also makes: every block gets a `block_id` and
every interactive element an `action_id` when it had none, so a click can always say where it came from.
A block or element of a type this module does not know is kept (Slack keeps adding types): the client
shows its fallback text.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any, TypedDict

from django.conf import settings

from chat.block_elements import ELEMENT_CHECKS, INTERACTIVE_TYPES, text_object
from chat.block_path import BlockKitInvalid, Checker
from chat.blocks import render_text
from chat.text import check_message_text
from slackclone import jsonlimits
from slackclone.errors import ErrorCode

__all__ = ["BlockKitInvalid", "MessageContent", "message_content", "validate_attachments", "validate_blocks"]

MAX_BLOCKS = {"message": 50, "modal": 100, "home": 100}
MAX_ATTACHMENTS = 100
MAX_JSON_BYTES = 256 * 1024
ID_MAX_CHARS = 255
ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
COLOR = re.compile(r"#?[0-9A-Fa-f]{6}|good|warning|danger")
RICH_TEXT_CONTAINERS = {"rich_text_section", "rich_text_list", "rich_text_quote", "rich_text_preformatted"}
RICH_TEXT_LEAVES = {"text", "link", "user", "usergroup", "channel", "emoji", "broadcast", "date", "color"}


@dataclass
class _Ids:
    """The block_ids of one list of blocks, and the action_ids of the block being checked."""

    blocks: set[str] = field(default_factory=set)


def _new_id(taken: set[str]) -> str:
    while True:
        candidate = "".join(secrets.choice(ID_CHARS) for _ in range(5))
        if candidate not in taken:
            return candidate


def _parsed(raw: Any, checker: Checker, root: str) -> list[dict[str, Any]]:
    if isinstance(raw, str):
        try:
            raw = jsonlimits.loads(raw)
        except jsonlimits.JSONError:
            checker.fail(f"/{root}", "must be a JSON array")
    if not isinstance(raw, list):
        checker.fail(f"/{root}", "must be an array")
    return raw


def validate_blocks(raw: Any, *, surface: str = "message", root: str = "blocks") -> list[dict[str, Any]]:
    """The blocks (a list, or its JSON text) checked for `surface` (message, modal or home), with ids added.

    Raises: BlockKitInvalid (invalid_blocks) naming the first offending value by JSON pointer.
    """
    checker = Checker(ErrorCode.INVALID_BLOCKS)
    if raw is None or raw == "":
        return []
    blocks = _parsed(raw, checker, root)
    if len(blocks) > MAX_BLOCKS[surface]:
        checker.fail(f"/{root}", f"must be no more than {MAX_BLOCKS[surface]} items")
    _check_size(blocks, checker, root)
    return _checked_blocks(blocks, checker, f"/{root}")


def _check_size(value: Any, checker: Checker, root: str) -> None:
    if len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()) > MAX_JSON_BYTES:
        checker.fail(f"/{root}", f"must be no more than {MAX_JSON_BYTES // 1024} kB of JSON")


def _checked_blocks(blocks: list[Any], checker: Checker, path: str) -> list[dict[str, Any]]:
    ids = _Ids()
    checked = [_checked_block(block, checker, f"{path}/{index}", ids) for index, block in enumerate(blocks)]
    for block in checked:  # ids Slack would have made up, once every id the sender chose is known
        if "block_id" not in block:
            block["block_id"] = _new_id(ids.blocks)
            ids.blocks.add(block["block_id"])
    return checked


def _checked_block(block: Any, checker: Checker, path: str, ids: _Ids) -> dict[str, Any]:
    if not isinstance(block, dict):
        checker.fail(path, "must be an object")
    kind = block.get("type")
    if not isinstance(kind, str) or not kind:
        checker.fail(f"{path}/type", "is required")
    block = dict(block)
    if "block_id" in block:
        block_id = checker.string(block["block_id"], f"{path}/block_id", max_chars=ID_MAX_CHARS)
        if block_id in ids.blocks:
            checker.fail(f"{path}/block_id", f"duplicate block_id {block_id!r}")
        ids.blocks.add(block_id)
    check = BLOCK_CHECKS.get(kind)
    if check is not None:
        check(block, checker, path)
    return block


def _elements(block: dict[str, Any], checker: Checker, path: str, *, max_items: int) -> None:
    """An actions block's (or an accessory's) interactive elements: checked, action_ids unique and filled in."""
    elements = checker.array(block.get("elements"), f"{path}/elements", min_items=1, max_items=max_items)
    taken: set[str] = set()
    checked = [_element(element, checker, f"{path}/elements/{index}", taken) for index, element in enumerate(elements)]
    for element in checked:
        if element.get("type") in INTERACTIVE_TYPES and "action_id" not in element:
            element["action_id"] = _new_id(taken)
            taken.add(element["action_id"])
    block["elements"] = checked


def _element(element: Any, checker: Checker, path: str, taken: set[str]) -> dict[str, Any]:
    if not isinstance(element, dict):
        checker.fail(path, "must be an object")
    element = dict(element)
    kind = element.get("type")
    if not isinstance(kind, str) or not kind:
        checker.fail(f"{path}/type", "is required")
    if "action_id" in element:
        action_id = checker.string(element["action_id"], f"{path}/action_id", max_chars=ID_MAX_CHARS)
        if action_id in taken:
            checker.fail(f"{path}/action_id", f"duplicate action_id {action_id!r}")
        taken.add(action_id)
    check = ELEMENT_CHECKS.get(kind)
    if check is not None:
        check(element, checker, path)
    return element


def _single_element(block: dict[str, Any], key: str, checker: Checker, path: str, *, required: bool) -> None:
    if key not in block:
        if required:
            checker.fail(f"{path}/{key}", "is required")
        return
    element = _element(block[key], checker, f"{path}/{key}", set())
    if element.get("type") in INTERACTIVE_TYPES and "action_id" not in element:
        element["action_id"] = _new_id(set())
    block[key] = element


def _section(block: dict[str, Any], checker: Checker, path: str) -> None:
    if "text" not in block and "fields" not in block:
        checker.fail(f"{path}/text", "is required when fields is absent")
    if "text" in block:
        text_object(block["text"], checker, f"{path}/text", max_chars=3000)
    if "fields" in block:
        fields = checker.array(block["fields"], f"{path}/fields", min_items=1, max_items=10)
        for index, item in enumerate(fields):
            text_object(item, checker, f"{path}/fields/{index}", max_chars=2000)
    _single_element(block, "accessory", checker, path, required=False)


def _header(block: dict[str, Any], checker: Checker, path: str) -> None:
    text_object(block.get("text"), checker, f"{path}/text", max_chars=150, plain_only=True)


def _context(block: dict[str, Any], checker: Checker, path: str) -> None:
    elements = checker.array(block.get("elements"), f"{path}/elements", min_items=1, max_items=10)
    for index, element in enumerate(elements):
        item_path = f"{path}/elements/{index}"
        if isinstance(element, dict) and element.get("type") == "image":
            ELEMENT_CHECKS["image"](element, checker, item_path)
        else:
            text_object(element, checker, item_path, max_chars=3000)


def _image(block: dict[str, Any], checker: Checker, path: str) -> None:
    ELEMENT_CHECKS["image"](block, checker, path)
    if "title" in block:
        text_object(block["title"], checker, f"{path}/title", max_chars=2000, plain_only=True)


def _input(block: dict[str, Any], checker: Checker, path: str) -> None:
    text_object(block.get("label"), checker, f"{path}/label", max_chars=2000, plain_only=True)
    if "hint" in block:
        text_object(block["hint"], checker, f"{path}/hint", max_chars=2000, plain_only=True)
    for flag in ("optional", "dispatch_action"):
        if flag in block and not isinstance(block[flag], bool):
            checker.fail(f"{path}/{flag}", "must be a boolean")
    _single_element(block, "element", checker, path, required=True)


def _rich_text(block: dict[str, Any], checker: Checker, path: str) -> None:
    elements = checker.array(block.get("elements"), f"{path}/elements", min_items=0, max_items=100)
    for index, element in enumerate(elements):
        _rich_text_container(element, checker, f"{path}/elements/{index}", depth=0)


def _rich_text_container(element: Any, checker: Checker, path: str, *, depth: int) -> None:
    if not isinstance(element, dict) or element.get("type") not in RICH_TEXT_CONTAINERS:
        checker.fail(
            f"{path}/type", "must be a rich_text_section, rich_text_list, rich_text_quote or rich_text_preformatted"
        )
    children = checker.array(element.get("elements"), f"{path}/elements", min_items=0, max_items=1000)
    for index, child in enumerate(children):
        child_path = f"{path}/elements/{index}"
        if element["type"] == "rich_text_list":
            if depth > 8:
                checker.fail(child_path, "lists nest too deep")
            _rich_text_container(child, checker, child_path, depth=depth + 1)
        elif not isinstance(child, dict) or child.get("type") not in RICH_TEXT_LEAVES:
            checker.fail(f"{child_path}/type", "must be a rich text element")
        elif child["type"] in ("text", "link"):
            key = "text" if child["type"] == "text" else "url"
            checker.string(child.get(key), f"{child_path}/{key}", max_chars=40_000)


BLOCK_CHECKS = {
    "section": _section,
    "header": _header,
    "context": _context,
    "image": _image,
    "actions": lambda block, checker, path: _elements(block, checker, path, max_items=25),
    "input": _input,
    "rich_text": _rich_text,
    "divider": lambda block, checker, path: None,
}


def _attachment(attachment: Any, checker: Checker, path: str) -> dict[str, Any]:
    if not isinstance(attachment, dict):
        checker.fail(path, "must be an object")
    attachment = dict(attachment)
    for key in ("fallback", "pretext", "author_name", "title", "text", "footer"):
        if key in attachment and attachment[key] is not None:
            checker.string(attachment[key], f"{path}/{key}", max_chars=8000, allow_empty=True)
    for key in ("author_link", "author_icon", "title_link", "image_url", "thumb_url", "footer_icon"):
        if attachment.get(key):
            checker.url(attachment[key], f"{path}/{key}")
    if attachment.get("color") and not COLOR.fullmatch(str(attachment["color"])):
        checker.fail(f"{path}/color", "must be a hex color or good, warning, danger")
    fields = checker.array(attachment.get("fields", []), f"{path}/fields", min_items=0, max_items=100)
    for index, item in enumerate(fields):
        if not isinstance(item, dict):
            checker.fail(f"{path}/fields/{index}", "must be an object")
    if "blocks" in attachment:
        blocks = checker.array(attachment["blocks"], f"{path}/blocks", min_items=0, max_items=MAX_BLOCKS["message"])
        attachment["blocks"] = _checked_blocks(blocks, checker, f"{path}/blocks")
    return attachment


def validate_attachments(raw: Any) -> list[dict[str, Any]]:
    """Legacy message attachments (a list, or its JSON text), checked as Slack checks them.

    Raises: BlockKitInvalid (invalid_attachments) naming the first offending value by JSON pointer.
    """
    checker = Checker(ErrorCode.INVALID_ATTACHMENTS)
    if raw is None or raw == "":
        return []
    attachments = _parsed(raw, checker, "attachments")
    if len(attachments) > MAX_ATTACHMENTS:
        checker.fail("/attachments", f"must be no more than {MAX_ATTACHMENTS} items")
    _check_size(attachments, checker, "attachments")
    return [_attachment(item, checker, f"/attachments/{index}") for index, item in enumerate(attachments)]


class ContentArgs(TypedDict):
    """A message's parts as message_post, message_edit and ephemeral_post take them."""

    text: str
    blocks: list[dict[str, Any]]
    legacy_attachments: list[dict[str, Any]]


@dataclass(frozen=True)
class MessageContent:
    """What a message says: its text (the fallback), checked blocks and attachments, and the words mentions
    are read from (the text, and the blocks' words when they say more)."""

    text: str
    blocks: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    mention_text: str

    def as_args(self) -> ContentArgs:
        return {"text": self.text, "blocks": self.blocks, "legacy_attachments": self.attachments}


def message_content(
    text: Any, blocks: Any = None, attachments: Any = None, *, has_files: bool = False
) -> MessageContent:
    """Check a message's parts as Slack does. With blocks or attachments, `text` may be empty: their words
    become the stored text, so notifications and search still have something to say.

    Raises: invalid_blocks, invalid_attachments (with the pointer), no_text (nothing at all), msg_too_long.
    """
    checked_blocks = validate_blocks(blocks)
    checked_attachments = validate_attachments(attachments)
    given = text if isinstance(text, str) else ""
    words = render_text(blocks=checked_blocks, attachments=checked_attachments)
    fallback = given if given.strip() else words[: settings.MESSAGE_MAX_CHARS]
    checked_text = check_message_text(fallback, allow_empty=has_files)
    mention_text = checked_text if words in checked_text else f"{checked_text}\n{words}"
    return MessageContent(checked_text, checked_blocks, checked_attachments, mention_text)
