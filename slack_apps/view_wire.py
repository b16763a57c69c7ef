"""Slack's view object: read from an app (views.open, views.push, views.update, views.publish, a
view_submission's `update` or `push`) with Slack's limits, and written back in Slack's shape."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chat.block_kit import validate_blocks
from slackclone import jsonlimits
from slackclone.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from slack_apps.models import View

VIEW_MAX_BYTES = 250 * 1024
VIEW_TEXT_CHARS = 24
PRIVATE_METADATA_CHARS = 3000
ID_CHARS = 255


@dataclass(frozen=True)
class ViewSpec:
    """What an app asked a view to be, checked."""

    kind: str
    title: dict[str, Any] | None
    submit: dict[str, Any] | None
    close: dict[str, Any] | None
    blocks: list[dict[str, Any]]
    private_metadata: str
    callback_id: str
    external_id: str
    notify_on_close: bool
    clear_on_close: bool
    submit_disabled: bool

    def fields(self) -> dict[str, Any]:
        """The View columns this spec sets (all but external_id, which views.update may leave as it is)."""
        return {
            "title": self.title,
            "submit": self.submit,
            "close": self.close,
            "blocks": self.blocks,
            "private_metadata": self.private_metadata,
            "callback_id": self.callback_id,
            "notify_on_close": self.notify_on_close,
            "clear_on_close": self.clear_on_close,
            "submit_disabled": self.submit_disabled,
        }


def _invalid(problem: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_ARGUMENTS, problem, fields={"view": "invalid"})


def _plain_text(raw: dict[str, Any], key: str, *, required: bool) -> dict[str, Any] | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise _invalid(f"view.{key} is required.")
        return None
    text = value.get("text") if isinstance(value, dict) else None
    if not isinstance(value, dict) or value.get("type") != "plain_text" or not isinstance(text, str) or not text:
        raise _invalid(f"view.{key} must be a plain_text object.")
    if len(text) > VIEW_TEXT_CHARS:
        raise _invalid(f"view.{key} must be at most {VIEW_TEXT_CHARS} characters.")
    return {"type": "plain_text", "text": text, "emoji": bool(value.get("emoji", True))}


def _string(raw: dict[str, Any], key: str, limit: int) -> str:
    value = raw.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise _invalid(f"view.{key} must be a string of at most {limit} characters.")
    return value


def _flag(raw: dict[str, Any], key: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise _invalid(f"view.{key} must be a boolean.")
    return value


def view_spec(raw: Any, *, kinds: tuple[str, ...] = ("modal",)) -> ViewSpec:
    """The view an app sent (an object, or its JSON text), checked as Slack checks it.

    Raises: view_too_large (over 250 kB), invalid_arguments (naming the part), invalid_blocks.
    """
    if isinstance(raw, str):
        if len(raw.encode()) > VIEW_MAX_BYTES:
            raise DomainError(ErrorCode.VIEW_TOO_LARGE, "A view is at most 250 kB of JSON.")
        try:
            raw = jsonlimits.loads(raw)
        except jsonlimits.JSONError:
            raise _invalid("view must be a JSON object.") from None
    if not isinstance(raw, dict):
        raise _invalid("view must be an object.")
    if len(json.dumps(raw, separators=(",", ":"), ensure_ascii=False).encode()) > VIEW_MAX_BYTES:
        raise DomainError(ErrorCode.VIEW_TOO_LARGE, "A view is at most 250 kB of JSON.")
    kind = raw.get("type")
    if kind not in kinds:
        raise _invalid(f"view.type must be {' or '.join(kinds)}.")
    modal = kind == "modal"
    blocks = validate_blocks(raw.get("blocks"), surface=kind)
    submit = _plain_text(raw, "submit", required=modal and any(b["type"] == "input" for b in blocks))
    return ViewSpec(
        kind=kind,
        title=_plain_text(raw, "title", required=modal),
        submit=submit if modal else None,
        close=_plain_text(raw, "close", required=False) if modal else None,
        blocks=blocks,
        private_metadata=_string(raw, "private_metadata", PRIVATE_METADATA_CHARS),
        callback_id=_string(raw, "callback_id", ID_CHARS),
        external_id=_string(raw, "external_id", ID_CHARS),
        notify_on_close=_flag(raw, "notify_on_close"),
        clear_on_close=_flag(raw, "clear_on_close"),
        submit_disabled=_flag(raw, "submit_disabled"),
    )


def new_hash() -> str:
    return f"{secrets.randbelow(10**10)}.{secrets.token_hex(8)}"


def view_to_wire(view: View) -> dict[str, Any]:
    """A view in Slack's shape, as views.* answer it and as the client shows it."""
    app = view.app
    return {
        "id": view.public_id,
        "team_id": app.workspace.public_id,
        "type": view.kind,
        "blocks": view.blocks,
        "private_metadata": view.private_metadata,
        "callback_id": view.callback_id,
        "state": {"values": view.state or {}},
        "hash": view.hash,
        "title": view.title,
        "clear_on_close": view.clear_on_close,
        "notify_on_close": view.notify_on_close,
        "close": view.close,
        "submit": view.submit,
        "submit_disabled": view.submit_disabled,
        "previous_view_id": view.previous.public_id if view.previous_id and view.previous else None,
        "root_view_id": view.root.public_id if view.root_id and view.root else view.public_id,
        "app_id": app.public_id,
        "external_id": view.external_id,
        "app_installed_team_id": app.workspace.public_id,
        "bot_id": app.bot_user.public_id,
    }
