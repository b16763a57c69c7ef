"""The checks Block Kit validation is made of, each naming the value it refused by JSON pointer, as Slack does."""

from __future__ import annotations

from typing import Any, NoReturn

from slackclone.errors import DomainError, ErrorCode

URL_MAX_CHARS = 3000


class BlockKitInvalid(DomainError):
    """Blocks or attachments Slack would refuse. `pointer` is where; the message ends with it in Slack's words."""

    def __init__(self, code: ErrorCode, pointer: str, problem: str):
        super().__init__(code, f"{problem} [json-pointer:{pointer}]", fields={"pointer": pointer})
        self.pointer = pointer
        self.problem = problem


class Checker:
    """Checks for one payload, all failing with the same code (invalid_blocks or invalid_attachments)."""

    def __init__(self, code: ErrorCode) -> None:
        self.code = code

    def fail(self, pointer: str, problem: str) -> NoReturn:
        raise BlockKitInvalid(self.code, pointer, problem)

    def string(self, value: Any, pointer: str, *, max_chars: int, allow_empty: bool = False) -> str:
        if not isinstance(value, str):
            self.fail(pointer, "must be a string")
        if not value and not allow_empty:
            self.fail(pointer, "must be more than 0 characters")
        if len(value) > max_chars:
            self.fail(pointer, f"must be less than {max_chars + 1} characters")
        return value

    def array(self, value: Any, pointer: str, *, min_items: int, max_items: int) -> list[Any]:
        if not isinstance(value, list):
            self.fail(pointer, "must be an array")
        if len(value) < min_items:
            self.fail(pointer, f"must provide at least {min_items} items")
        if len(value) > max_items:
            self.fail(pointer, f"must be no more than {max_items} items")
        return value

    def url(self, value: Any, pointer: str) -> str:
        """An http(s) or mailto URL: what a button, a link or an image may point at, nothing that runs."""
        url = self.string(value, pointer, max_chars=URL_MAX_CHARS)
        if not url.lower().startswith(("http://", "https://", "mailto:")):
            self.fail(pointer, "must be an http, https or mailto URL")
        return url

    def boolean(self, container: dict[str, Any], key: str, pointer: str) -> None:
        if key in container and not isinstance(container[key], bool):
            self.fail(f"{pointer}/{key}", "must be a boolean")
