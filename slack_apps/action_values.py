"""What a person did with a Block Kit element, in the shape Slack sends apps (an action of block_actions,
and state.values), checked against the element the app sent where it is stored.

A browser could claim any value; an app trusts what Slack sends it. So a button's value and text come
from the stored message, and a chosen option must be one the element offers. Where no copy is stored
(an ephemeral message), the choice is only checked for its shape.
"""

from __future__ import annotations

import json
import re
from typing import Any

from slackclone.errors import DomainError, ErrorCode

ID_MAX_CHARS = 255
VALUE_MAX_CHARS = 3000
STATE_MAX_BYTES = 64 * 1024
PUBLIC_ID = re.compile(r"[A-Z][A-Z0-9]{2,20}")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
SINGLE_OPTION = {"static_select", "external_select", "overflow", "radio_buttons"}
MANY_OPTIONS = {"multi_static_select", "multi_external_select", "checkboxes"}
PICKED_ONE = {
    "users_select": "selected_user",
    "conversations_select": "selected_conversation",
    "channels_select": "selected_channel",
}
PICKED_MANY = {
    "multi_users_select": "selected_users",
    "multi_conversations_select": "selected_conversations",
    "multi_channels_select": "selected_channels",
}
TYPED_VALUE = {"plain_text_input", "email_text_input", "url_text_input", "number_input"}


def invalid(problem: str, field: str = "action") -> DomainError:
    return DomainError(ErrorCode.INVALID_ARGUMENTS, problem, fields={field: "invalid"})


def _id(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value or len(value) > ID_MAX_CHARS:
        raise invalid(f"{name} must be a string of 1 to {ID_MAX_CHARS} characters.")
    return value


def find_element(blocks: list[dict[str, Any]], block_id: str, action_id: str) -> dict[str, Any]:
    """The element `action_id` of block `block_id`: in an actions block, a section's accessory, an input."""
    for block in blocks:
        if block.get("block_id") != block_id:
            continue
        candidates = [*(block.get("elements") or []), block.get("accessory"), block.get("element")]
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element
    raise invalid("There is no such element in that message.")


def _offered(element: dict[str, Any]) -> dict[str, dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += group.get("options") or []
    return {option["value"]: option for option in options if isinstance(option, dict) and "value" in option}


def _option(value: Any, offered: dict[str, dict[str, Any]] | None) -> dict[str, Any]:
    if not isinstance(value, dict) or not isinstance(value.get("value"), str):
        raise invalid("An option is an object with its value.")
    if offered is None:
        text = value.get("text")
        if not isinstance(text, dict) or not isinstance(text.get("text"), str) or len(json.dumps(value)) > 1000:
            raise invalid("An option has a text object.")
        return {"text": {"type": str(text.get("type") or "plain_text"), "text": text["text"]}, "value": value["value"]}
    if value["value"] not in offered:
        raise invalid("That option is not one the element offers.")
    return offered[value["value"]]


def _choice(kind: str, action: dict[str, Any], element: dict[str, Any] | None) -> dict[str, Any]:
    """The value fields of an action, by the element's type, as Slack names them."""
    offered = _offered(element) if element is not None else None
    if kind in SINGLE_OPTION:
        chosen = action.get("selected_option")
        return {"selected_option": None if chosen is None else _option(chosen, offered)}
    if kind in MANY_OPTIONS:
        chosen = action.get("selected_options")
        if not isinstance(chosen, list) or len(chosen) > 100:
            raise invalid("selected_options must be a list.")
        return {"selected_options": [_option(item, offered) for item in chosen]}
    if kind in PICKED_ONE:
        key = PICKED_ONE[kind]
        picked = action.get(key)
        if picked is not None and (not isinstance(picked, str) or not PUBLIC_ID.fullmatch(picked)):
            raise invalid(f"{key} must be an id.")
        return {key: picked}
    if kind in PICKED_MANY:
        key = PICKED_MANY[kind]
        picked_list = action.get(key)
        if not isinstance(picked_list, list) or not all(
            isinstance(p, str) and PUBLIC_ID.fullmatch(p) for p in picked_list
        ):
            raise invalid(f"{key} must be a list of ids.")
        return {key: picked_list[:100]}
    if kind == "datepicker":
        return {"selected_date": _matching(action.get("selected_date"), DATE, "selected_date")}
    if kind == "timepicker":
        return {"selected_time": _matching(action.get("selected_time"), TIME, "selected_time")}
    if kind in TYPED_VALUE:
        value = action.get("value")
        if value is not None and (not isinstance(value, str) or len(value) > VALUE_MAX_CHARS):
            raise invalid(f"value must be a string of at most {VALUE_MAX_CHARS} characters.")
        return {"value": value}
    return {}


def _matching(value: Any, pattern: re.Pattern[str], name: str) -> str | None:
    if value is not None and (not isinstance(value, str) or not pattern.fullmatch(value)):
        raise invalid(f"{name} is not in Slack's format.")
    return value


def action_payload(action: Any, blocks: list[dict[str, Any]] | None, *, action_ts: str) -> dict[str, Any]:
    """One entry of block_actions' `actions`. With the stored `blocks`, the element must be in them.

    Raises: invalid_arguments, naming what is wrong.
    """
    if not isinstance(action, dict):
        raise invalid("action must be an object.")
    block_id, action_id = _id(action.get("block_id"), "block_id"), _id(action.get("action_id"), "action_id")
    element = find_element(blocks, block_id, action_id) if blocks is not None else None
    kind = element["type"] if element is not None else _id(action.get("type"), "type")
    if element is not None and action.get("type") not in (None, kind):
        raise invalid("The action's type is not its element's.")
    payload: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "type": kind, "action_ts": action_ts}
    if kind == "button":
        source = element if element is not None else action
        for key in ("text", "value", "style"):
            if key in source:
                payload[key] = source[key]
        if element is None and len(json.dumps(payload)) > 4000:
            raise invalid("That button is too large.")
        return payload
    payload.update(_choice(kind, action, element))
    return payload


def state_values(state: Any) -> dict[str, dict[str, dict[str, Any]]]:
    """state.values as the client gathered it: {block_id: {action_id: {"type", value fields}}}, bounded.

    Raises: invalid_arguments.
    """
    values = state.get("values", {}) if isinstance(state, dict) else None
    if not isinstance(values, dict) or len(json.dumps(values)) > STATE_MAX_BYTES:
        raise invalid(f"state.values must be an object of at most {STATE_MAX_BYTES // 1024} kB.", "state")
    checked: dict[str, dict[str, dict[str, Any]]] = {}
    for block_id, by_action in values.items():
        if not isinstance(by_action, dict):
            raise invalid("Each block's state is an object by action_id.", "state")
        checked[_id(block_id, "block_id")] = {}
        for action_id, value in by_action.items():
            if not isinstance(value, dict) or not isinstance(value.get("type"), str):
                raise invalid("Each element's state is an object with its type.", "state")
            entry = {"type": value["type"], **_choice(value["type"], value, None)}
            checked[block_id][_id(action_id, "action_id")] = entry
    return checked
