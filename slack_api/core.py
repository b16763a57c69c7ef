"""The Web API's machinery: arguments, the method registry, token context, errors and cursors."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chat.block_path import BlockKitInvalid
from slackclone import jsonlimits
from slackclone.api.pagination import decode_cursor
from slackclone.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from accounts.models import ApiToken, User
    from workspaces.models import Membership, Workspace

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


class SlackError(Exception):
    """An answer of {"ok": false, "error": name}; `status` is 200 except for rate limiting (429)."""

    def __init__(self, error: str, *, status: int = 200, retry_after: int | None = None, **extra: Any):
        super().__init__(error)
        self.error = error
        self.status = status
        self.retry_after = retry_after
        self.extra = extra


def invalid_arguments(problem: str) -> SlackError:
    """Slack's invalid_arguments, with the problem in response_metadata.messages as Slack reports it."""
    return SlackError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {problem}"]})


# Our codes that Slack names differently. Everything else is already Slack's name.
CODE_NAMES: dict[str, str] = {
    ErrorCode.INVALID_EMOJI: "invalid_name",
    ErrorCode.WORKSPACE_NOT_FOUND: "team_not_found",
    ErrorCode.NOT_IN_WORKSPACE: "user_not_found",
    ErrorCode.VIEW_NOT_FOUND: "not_found",
}
# invalid_name by the offending field's detail.
NAME_DETAILS = {
    "too_long": "invalid_name_maxlength",
    "invalid_characters": "invalid_name_specials",
    "required": "invalid_name_required",
    "reserved": "invalid_name",
}


def slack_error_name(error: DomainError) -> str:
    """Slack's error name for a DomainError."""
    code = error.code
    if code == ErrorCode.INVALID_NAME:
        for detail in error.fields.values():
            if detail in NAME_DETAILS:
                return NAME_DETAILS[detail]
        return "invalid_name_specials"
    if code == ErrorCode.INVALID_ARGUMENTS:
        if "cursor" in error.fields:
            return "invalid_cursor"
        if "limit" in error.fields:
            return "invalid_limit"
        return "invalid_arguments"
    return CODE_NAMES.get(code, code.value)


def slack_error_body(error: DomainError) -> dict[str, Any]:
    """Slack's whole answer for a DomainError: Block Kit errors also say where, as Slack's `errors` and
    response_metadata.messages ("must be more than 0 characters [json-pointer:/blocks/0/text/text]")."""
    body: dict[str, Any] = {"ok": False, "error": slack_error_name(error)}
    if isinstance(error, BlockKitInvalid):
        body["errors"] = [error.message]
        body["response_metadata"] = {"messages": [f"[ERROR] {error.message}"]}
    return body


class Args:
    """A request's arguments as Slack reads them: strings from a form or query string, or JSON values.

    The readers are named after what they return (`args.str("ts")`), so inside this class those names are
    the methods: annotations spell the types `builtins.str`, `builtins.int` and so on.
    """

    def __init__(self, data: dict[builtins.str, Any]) -> None:
        self.data = data

    def __contains__(self, key: builtins.str) -> builtins.bool:
        value = self.data.get(key)
        return value is not None and value != ""

    def str(self, key: builtins.str, default: builtins.str = "", *, required: builtins.bool = False) -> builtins.str:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                raise invalid_arguments(f"{key} is required")
            return default
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (dict, list)):
            raise invalid_arguments(f"{key} must be a string")
        return str(value)

    def bool(self, key: builtins.str, default: builtins.bool = False) -> builtins.bool:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise invalid_arguments(f"{key} must be a boolean")

    def int(
        self, key: builtins.str, default: builtins.int | None = None, *, error: builtins.str = "invalid_arguments"
    ) -> builtins.int | None:
        value = self.data.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise SlackError(error)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise SlackError(error) from None

    def list(self, key: builtins.str) -> builtins.list[builtins.str]:
        """A comma-separated list (or a JSON array)."""
        value = self.data.get(key)
        if value is None:
            return []
        items = value if isinstance(value, list) else str(value).split(",")
        return [str(item).strip() for item in items if str(item).strip()]

    def limit(self, default: builtins.int, maximum: builtins.int) -> builtins.int:
        """Slack's `limit`: a positive whole number; larger than the method allows is clamped."""
        limit = self.int("limit", default, error="invalid_limit")
        if limit is None or limit < 1:
            raise SlackError("invalid_limit")
        return min(limit, maximum)

    def cursor(self, parts: builtins.int = 1) -> builtins.list[builtins.str] | None:
        """The decoded `cursor`, or None for the first page."""
        raw = self.str("cursor")
        if not raw:
            return None
        try:
            return decode_cursor(raw, parts)
        except DomainError:
            raise SlackError("invalid_cursor") from None


def paged(body: dict[str, Any], cursor: str | None) -> dict[str, Any]:
    """Add Slack's response_metadata (an empty next_cursor on the last page, as Slack does)."""
    body["response_metadata"] = {"next_cursor": cursor or ""}
    return body


@dataclass
class Context:
    """Who is calling: the token's user in the token's workspace."""

    token: ApiToken | None
    args: Args
    request: Any

    @property
    def api_token(self) -> ApiToken:
        """The caller's token: every method has one but those registered with auth=False (api.test)."""
        if self.token is None:
            raise SlackError("not_authed")
        return self.token

    @property
    def user(self) -> User:
        return self.api_token.user

    @property
    def workspace(self) -> Workspace:
        return self.api_token.workspace

    @property
    def membership(self) -> Membership:
        from workspaces.models import Membership

        if not hasattr(self, "_membership"):
            self._membership = Membership.objects.get(user=self.api_token.user, workspace=self.api_token.workspace)
        return self._membership


@dataclass(frozen=True)
class Method:
    name: str
    handler: Callable[[Context], dict[str, Any]]
    auth: bool
    write: bool
    user_token_only: bool
    scopes: tuple[str, ...]
    classic_only: bool


METHODS: dict[str, Method] = {}

# Slack's scope families: a method on conversations needs the one for the conversation's kind, and
# answers missing_scope listing them all when the token has none of them.
READ_SCOPES = ("channels:read", "groups:read", "im:read", "mpim:read")
HISTORY_SCOPES = ("channels:history", "groups:history", "im:history", "mpim:history")
MANAGE_SCOPES = ("channels:manage", "groups:write", "im:write", "mpim:write")


def method(
    name: str,
    *,
    auth: bool = True,
    write: bool = False,
    user_token_only: bool = False,
    scopes: tuple[str, ...] = (),
    classic_only: bool = False,
):
    """Register a Web API method. `write` methods count against the per-user write rate. A token
    limited to scopes (an app's bot token) needs one of `scopes`; `classic_only` methods (the RTM
    API) refuse such tokens altogether, as Slack refuses them to its newer apps."""

    def register(handler: Callable[[Context], dict[str, Any]]):
        METHODS[name] = Method(name, handler, auth, write, user_token_only, scopes, classic_only)
        return handler

    return register


def check_scopes(found: Method, token_scopes: list[str] | None) -> None:
    """Slack's answers for a scoped token: not_allowed_token_type, or missing_scope with needed/provided."""
    if token_scopes is None:
        return
    if found.classic_only:
        raise SlackError("not_allowed_token_type")
    if found.scopes and not set(found.scopes) & set(token_scopes):
        raise SlackError("missing_scope", needed=",".join(found.scopes), provided=",".join(token_scopes))


def parse_json(raw: bytes) -> dict[str, Any]:
    """A JSON body's arguments; invalid_json for anything else, JSON nested too deeply included."""
    try:
        data = jsonlimits.loads(raw)
    except jsonlimits.JSONError:
        raise SlackError("invalid_json") from None
    if not isinstance(data, dict):
        raise SlackError("invalid_json")
    return data
