"""The shape each file of a Slack export must have before the import writes anything.

Slack's export format: every file is a list of objects; ids are strings of a type letter and
upper-case letters and digits (U/W people, B bots, C/G/D conversations); a message's `ts` is a
string of seconds and microseconds ("1700000000.000100"). Only the fields the importer reads are
checked, and apart from an entry's id and a message's ts an absent or null field is allowed (the
importer has a default for each). A file that breaks its shape is refused with invalid_export and
a path to what is wrong: `channels.json[3].members: expected a list of user ids, got a string`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NoReturn

from slackclone.errors import DomainError, ErrorCode

Check = Callable[[Any, str], None]

USER_ID_RE = re.compile(r"[UW][A-Z0-9]{1,40}")
# Slack's bots are B…; Slackclone's own exports name a bot by its user id.
BOT_ID_RE = re.compile(r"[BUW][A-Z0-9]{1,40}")
CONVERSATION_ID_RE = re.compile(r"[CGD][A-Z0-9]{1,40}")
TS_RE = re.compile(r"[0-9]{1,12}\.[0-9]{1,6}")
SHOWN_CHARS = 40


_MISSING = object()


def _described(value: Any, *, quote: bool) -> str:
    """What was found instead: its type, or (with `quote`) a short, escaped copy of a string."""
    if value is _MISSING:
        return "nothing"
    if isinstance(value, str):
        return repr(value[:SHOWN_CHARS] + ("…" if len(value) > SHOWN_CHARS else "")) if quote else "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return "a list" if isinstance(value, list) else "an object"


def _fail(path: str, expected: str, value: Any, *, quote: bool = False) -> NoReturn:
    raise DomainError(
        ErrorCode.INVALID_EXPORT,
        "%(path)s: expected %(expected)s, got %(described_value)s.",
        params={"path": path, "expected": expected, "described_value": _described(value, quote=quote)},
    )


def string(value: Any, path: str) -> None:
    if not isinstance(value, str):
        _fail(path, "a string", value)


def boolean(value: Any, path: str) -> None:
    if not isinstance(value, bool):
        _fail(path, "true or false", value)


def number(value: Any, path: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(path, "a number", value)


def matching(pattern: re.Pattern, expected: str, *, empty: bool = False) -> Check:
    """A string that matches `pattern` whole (or is empty, when `empty`)."""

    def check(value: Any, path: str) -> None:
        if not isinstance(value, str):
            _fail(path, expected, value)
        if not (empty and value == "") and not pattern.fullmatch(value):
            _fail(path, expected, value, quote=True)

    return check


def list_of(item: Check, expected: str) -> Check:
    def check(value: Any, path: str) -> None:
        if not isinstance(value, list):
            _fail(path, expected, value)
        for index, element in enumerate(value):
            item(element, f"{path}[{index}]")

    return check


def obj(fields: dict[str, Check], *, required: tuple[str, ...] = ()) -> Check:
    """An object whose listed fields, where present and not null, pass their checks; `required`
    fields must be there."""

    def check(value: Any, path: str) -> None:
        if not isinstance(value, dict):
            _fail(path, "an object", value)
        for key, field in fields.items():
            if key in required:
                field(value.get(key, _MISSING), f"{path}.{key}")
            elif value.get(key) is not None:
                field(value[key], f"{path}.{key}")

    return check


def text_or_object(value: Any, path: str) -> None:
    """A channel's topic or purpose: Slack's {"value": …, "creator": …, "last_set": …}, or a string."""
    if isinstance(value, dict):
        _topic(value, path)
    elif not isinstance(value, str):
        _fail(path, "a string or an object", value)


_topic = obj({"value": string})
user_id = matching(USER_ID_RE, "a user id such as U0123ABCD")
# An author or creator may be empty, which the importer reads as absent (Slackclone's own exports
# write a channel with no creator so).
author_id = matching(USER_ID_RE, "a user id such as U0123ABCD", empty=True)
bot_id = matching(BOT_ID_RE, "a bot id such as B0123ABCD", empty=True)
conversation_id = matching(CONVERSATION_ID_RE, "a conversation id such as C0123ABCD")
slack_ts = matching(TS_RE, 'a Slack timestamp such as "1700000000.000100"')
objects = list_of(obj({}), "a list of objects")

USER = obj(
    {
        "id": user_id,
        "team_id": string,
        "name": string,
        "real_name": string,
        "deleted": boolean,
        "is_bot": boolean,
        "is_restricted": boolean,
        "is_ultra_restricted": boolean,
        "profile": obj({"email": string, "real_name": string, "display_name": string, "title": string}),
    },
    required=("id",),
)
CONVERSATION = obj(
    {
        "id": conversation_id,
        "name": string,
        "created": number,
        "creator": author_id,
        "members": list_of(user_id, "a list of user ids"),
        "topic": text_or_object,
        "purpose": text_or_object,
        "is_archived": boolean,
        "is_general": boolean,
    },
    required=("id",),
)
MESSAGE = obj(
    {
        "ts": slack_ts,
        "type": string,
        "subtype": string,
        "text": string,
        "user": author_id,
        "bot_id": bot_id,
        "username": string,
        "icons": obj({"emoji": string, "image_48": string, "image_72": string}),
        "thread_ts": slack_ts,
        "reply_count": number,
        "edited": obj({"ts": slack_ts}),
        "reactions": list_of(
            obj({"name": string, "users": list_of(user_id, "a list of user ids")}), "a list of objects"
        ),
        "pinned_to": list_of(conversation_id, "a list of conversation ids"),
        "files": list_of(
            obj({"name": string, "title": string, "url_private": string, "permalink": string}), "a list of objects"
        ),
        "blocks": objects,
        "attachments": objects,
    },
    required=("ts",),
)


def check_file(name: str, data: Any, item: Check) -> list[dict[str, Any]]:
    """`data`, the JSON of the export's file `name`, if it is a list of `item`s; invalid_export naming
    the file, the element and what is wrong otherwise."""
    list_of(item, "a list of objects")(data, name)
    return data


EMOJI_INDEX_MAX_ENTRIES = 50_000
EMOJI_NAME_MAX_CHARS = 100
EMOJI_VALUE_MAX_CHARS = 2_000


def check_emoji_index(name: str, data: Any) -> dict[str, str]:
    """An emoji index (emoji.list's `emoji`: {name: image URL or "alias:<name>"}, as slackdump saves it) if
    `data` is one of at most EMOJI_INDEX_MAX_ENTRIES; invalid_export naming what is wrong otherwise.
    Names are only bounded here: the import checks each against the custom emoji rules and skips the rest."""
    if not isinstance(data, dict):
        _fail(name, "an object of emoji names and URLs", data)
    if len(data) > EMOJI_INDEX_MAX_ENTRIES:
        raise DomainError(
            ErrorCode.INVALID_EXPORT,
            "%(name)s: more than %(emoji_index_max_entries)s emoji.",
            params={"name": name, "emoji_index_max_entries": EMOJI_INDEX_MAX_ENTRIES},
        )
    for key, value in data.items():
        if len(key) > EMOJI_NAME_MAX_CHARS:
            _fail(f"{name}.{key[:SHOWN_CHARS]}…", f"a name of at most {EMOJI_NAME_MAX_CHARS} characters", key)
        if not isinstance(value, str) or len(value) > EMOJI_VALUE_MAX_CHARS:
            _fail(f"{name}.{key}", f"a URL or alias:<name> of at most {EMOJI_VALUE_MAX_CHARS} characters", value)
    return data
