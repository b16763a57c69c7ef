"""Block Kit's composition objects (text, option, option group, confirm) and elements, checked against
Slack's limits. chat.block_kit checks the blocks around them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from chat.block_path import Checker

# Elements a person acts on: they carry an action_id, and a change or a click is sent to the app.
INTERACTIVE_TYPES = frozenset(
    {
        "button",
        "static_select",
        "multi_static_select",
        "external_select",
        "multi_external_select",
        "users_select",
        "multi_users_select",
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "multi_channels_select",
        "overflow",
        "datepicker",
        "timepicker",
        "datetimepicker",
        "checkboxes",
        "radio_buttons",
        "plain_text_input",
        "email_text_input",
        "url_text_input",
        "number_input",
    }
)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
PUBLIC_ID = re.compile(r"[A-Z][A-Z0-9]{2,20}")
OPTION_TEXT_CHARS = 75
PLACEHOLDER_CHARS = 150


def text_object(
    value: Any, checker: Checker, pointer: str, *, max_chars: int, plain_only: bool = False
) -> dict[str, Any]:
    """A text object: {"type": "plain_text" | "mrkdwn", "text": 1..max_chars characters}."""
    if not isinstance(value, dict):
        checker.fail(pointer, "must be a text object")
    kind = value.get("type")
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if kind not in allowed:
        checker.fail(f"{pointer}/type", f"must be {' or '.join(allowed)}")
    checker.string(value.get("text"), f"{pointer}/text", max_chars=max_chars)
    checker.boolean(value, "emoji", pointer)
    checker.boolean(value, "verbatim", pointer)
    return value


def _option(value: Any, checker: Checker, pointer: str, *, mrkdwn: bool = False, url: bool = False) -> None:
    if not isinstance(value, dict):
        checker.fail(pointer, "must be an option object")
    text_object(value.get("text"), checker, f"{pointer}/text", max_chars=OPTION_TEXT_CHARS, plain_only=not mrkdwn)
    checker.string(value.get("value"), f"{pointer}/value", max_chars=150)
    if "description" in value:
        text_object(value["description"], checker, f"{pointer}/description", max_chars=OPTION_TEXT_CHARS)
    if "url" in value:
        if not url:
            checker.fail(f"{pointer}/url", "is only allowed in an overflow menu's options")
        checker.url(value["url"], f"{pointer}/url")


def _options(element: dict[str, Any], checker: Checker, pointer: str, *, max_items: int, **kind: bool) -> list:
    options = checker.array(element.get("options"), f"{pointer}/options", min_items=1, max_items=max_items)
    for index, option in enumerate(options):
        _option(option, checker, f"{pointer}/options/{index}", **kind)
    return options


def _values_of(options: list[Any]) -> set[str]:
    return {str(option.get("value")) for option in options if isinstance(option, dict)}


def _initial_options(element: dict[str, Any], checker: Checker, pointer: str, values: set[str], **kind: bool) -> None:
    if "initial_option" in element:
        _option(element["initial_option"], checker, f"{pointer}/initial_option", **kind)
        if element["initial_option"].get("value") not in values:
            checker.fail(f"{pointer}/initial_option", "must match one of the options")
    if "initial_options" in element:
        initial = checker.array(element["initial_options"], f"{pointer}/initial_options", min_items=0, max_items=100)
        for index, option in enumerate(initial):
            _option(option, checker, f"{pointer}/initial_options/{index}", **kind)
            if option.get("value") not in values:
                checker.fail(f"{pointer}/initial_options/{index}", "must match one of the options")


def confirm_object(value: Any, checker: Checker, pointer: str) -> None:
    if not isinstance(value, dict):
        checker.fail(pointer, "must be a confirmation dialog object")
    text_object(value.get("title"), checker, f"{pointer}/title", max_chars=100, plain_only=True)
    text_object(value.get("text"), checker, f"{pointer}/text", max_chars=300)
    text_object(value.get("confirm"), checker, f"{pointer}/confirm", max_chars=30, plain_only=True)
    text_object(value.get("deny"), checker, f"{pointer}/deny", max_chars=30, plain_only=True)
    if value.get("style", "primary") not in ("primary", "danger"):
        checker.fail(f"{pointer}/style", "must be primary or danger")


def _common(element: dict[str, Any], checker: Checker, pointer: str) -> None:
    """What every interactive element may carry: a placeholder, a confirm dialog, focus_on_load."""
    if "placeholder" in element:
        text_object(
            element["placeholder"], checker, f"{pointer}/placeholder", max_chars=PLACEHOLDER_CHARS, plain_only=True
        )
    if "confirm" in element:
        confirm_object(element["confirm"], checker, f"{pointer}/confirm")
    checker.boolean(element, "focus_on_load", pointer)


def _button(element: dict[str, Any], checker: Checker, pointer: str) -> None:
    text_object(element.get("text"), checker, f"{pointer}/text", max_chars=75, plain_only=True)
    if "value" in element:
        checker.string(element["value"], f"{pointer}/value", max_chars=2000)
    if "url" in element:
        checker.url(element["url"], f"{pointer}/url")
    if "style" in element and element["style"] not in ("primary", "danger"):
        checker.fail(f"{pointer}/style", "must be primary or danger")
    if "accessibility_label" in element:
        checker.string(element["accessibility_label"], f"{pointer}/accessibility_label", max_chars=75)
    _common(element, checker, pointer)


def _static_select(element: dict[str, Any], checker: Checker, pointer: str) -> None:
    _common(element, checker, pointer)
    if "option_groups" in element:
        if "options" in element:
            checker.fail(f"{pointer}/options", "must not be given with option_groups")
        groups = checker.array(element["option_groups"], f"{pointer}/option_groups", min_items=1, max_items=100)
        values: set[str] = set()
        for index, group in enumerate(groups):
            group_pointer = f"{pointer}/option_groups/{index}"
            if not isinstance(group, dict):
                checker.fail(group_pointer, "must be an option group object")
            text_object(group.get("label"), checker, f"{group_pointer}/label", max_chars=75, plain_only=True)
            values |= _values_of(_options(group, checker, group_pointer, max_items=100))
    else:
        values = _values_of(_options(element, checker, pointer, max_items=100))
    _initial_options(element, checker, pointer, values)
    if "max_selected_items" in element:
        count = element["max_selected_items"]
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            checker.fail(f"{pointer}/max_selected_items", "must be a whole number of at least 1")


def _picked_ids(*keys: str) -> Callable[[dict[str, Any], Checker, str], None]:
    """users_select and the like: initial ids in Slack's shape (U…, C…), one or a list."""

    def check(element: dict[str, Any], checker: Checker, pointer: str) -> None:
        _common(element, checker, pointer)
        for key in keys:
            if key not in element:
                continue
            values = element[key] if isinstance(element[key], list) else [element[key]]
            if len(values) > 100:
                checker.fail(f"{pointer}/{key}", "must be no more than 100 items")
            for value in values:
                if not isinstance(value, str) or not PUBLIC_ID.fullmatch(value):
                    checker.fail(f"{pointer}/{key}", "must be a user or conversation id")

    return check


def _overflow(element: dict[str, Any], checker: Checker, pointer: str) -> None:
    _common(element, checker, pointer)
    _options(element, checker, pointer, max_items=5, url=True)


def _datepicker(element: dict[str, Any], checker: Checker, pointer: str) -> None:
    _common(element, checker, pointer)
    if "initial_date" in element and not DATE.fullmatch(str(element["initial_date"])):
        checker.fail(f"{pointer}/initial_date", "must be a date as YYYY-MM-DD")


def _timepicker(element: dict[str, Any], checker: Checker, pointer: str) -> None:
    _common(element, checker, pointer)
    if "initial_time" in element and not TIME.fullmatch(str(element["initial_time"])):
        checker.fail(f"{pointer}/initial_time", "must be a time as HH:mm")


def _choices(element: dict[str, Any], checker: Checker, pointer: str) -> None:
    """checkboxes and radio_buttons: up to 10 options, which may use mrkdwn."""
    _common(element, checker, pointer)
    values = _values_of(_options(element, checker, pointer, max_items=10, mrkdwn=True))
    _initial_options(element, checker, pointer, values, mrkdwn=True)


def _text_input(element: dict[str, Any], checker: Checker, pointer: str) -> None:
    _common(element, checker, pointer)
    if "initial_value" in element:
        checker.string(element["initial_value"], f"{pointer}/initial_value", max_chars=3000, allow_empty=True)
    checker.boolean(element, "multiline", pointer)
    for key, low in (("min_length", 0), ("max_length", 1)):
        if key in element:
            value = element[key]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= 3000:
                checker.fail(f"{pointer}/{key}", f"must be a whole number from {low} to 3000")
    if element.get("min_length", 0) > element.get("max_length", 3000):
        checker.fail(f"{pointer}/min_length", "must not be more than max_length")


def _image(element: dict[str, Any], checker: Checker, pointer: str) -> None:
    if "slack_file" not in element:
        checker.url(element.get("image_url"), f"{pointer}/image_url")
    checker.string(element.get("alt_text"), f"{pointer}/alt_text", max_chars=2000)


ELEMENT_CHECKS: dict[str, Callable[[dict[str, Any], Checker, str], None]] = {
    "button": _button,
    "static_select": _static_select,
    "multi_static_select": _static_select,
    "users_select": _picked_ids("initial_user"),
    "multi_users_select": _picked_ids("initial_users"),
    "conversations_select": _picked_ids("initial_conversation"),
    "multi_conversations_select": _picked_ids("initial_conversations"),
    "channels_select": _picked_ids("initial_channel"),
    "multi_channels_select": _picked_ids("initial_channels"),
    "overflow": _overflow,
    "datepicker": _datepicker,
    "timepicker": _timepicker,
    "checkboxes": _choices,
    "radio_buttons": _choices,
    "plain_text_input": _text_input,
    "email_text_input": _common,
    "url_text_input": _common,
    "number_input": _common,
    "image": _image,
}
