"""Slack app manifests (JSON or YAML), read as Slack reads them, into what an app is made of here.

An existing Slack app's manifest is pasted as is: the parts that have a meaning here are read
(display_information, features.bot_user, features.slash_commands, features.shortcuts, features.unfurl_domains,
oauth_config.scopes.bot,
settings.event_subscriptions, settings.interactivity, settings.socket_mode_enabled); the parts
that only tune Slack's own directory or hosting are accepted and ignored (IGNORED); anything
else is refused. Every problem is reported at once, each at its JSON pointer, and nothing is made.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import yaml

from slack_apps.models import APP_DESCRIPTION_MAX_LENGTH, APP_NAME_MAX_LENGTH, COMMAND_MAX_LENGTH, URL_MAX_LENGTH
from slack_apps.scopes import BOT_EVENTS, BOT_SCOPES, DEFAULT_BOT_EVENTS, DEFAULT_BOT_SCOPES, scopes_for_events
from slackclone import jsonlimits
from slackclone.errors import DomainError, ErrorCode

MANIFEST_MAX_BYTES = 64 * 1024
BOT_DISPLAY_NAME_MAX_LENGTH = 80
SHORTCUTS_MAX = 25
SHORTCUT_NAME_MAX = 50
UNFURL_DOMAINS_MAX = 5  # Slack's limit
# A host name (lower case, dots between labels), as Slack takes an unfurl domain: no scheme, path or port.
DOMAIN_PATTERN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}")
COMMAND_PATTERN = re.compile(r"/[a-z0-9][a-z0-9_.-]{0,30}")

# Parts Slack's manifests carry that change nothing here.
IGNORED = {
    "/_metadata",
    "/display_information/long_description",
    "/display_information/background_color",
    "/features/bot_user/always_online",
    "/features/app_home",
    "/oauth_config/redirect_urls",
    "/oauth_config/token_management_enabled",
    "/settings/org_deploy_enabled",
    "/settings/token_rotation_enabled",
    "/settings/is_hosted",
    "/settings/function_runtime",
    "/settings/allowed_ip_address_ranges",
    "/settings/interactivity/message_menu_options_url",
    "/settings/event_subscriptions/metadata_subscriptions",
}
NOT_SUPPORTED = {
    "/features/workflow_steps": "workflow steps are not supported",
    "/functions": "custom functions are not supported",
    "/workflows": "workflows are not supported",
    "/outgoing_domains": "outgoing domains are not supported",
}


@dataclass(frozen=True)
class CommandSpec:
    command: str
    url: str = ""
    description: str = ""
    usage_hint: str = ""


@dataclass(frozen=True)
class ShortcutSpec:
    """A global shortcut (the composer's shortcuts menu) or a message shortcut (a message's menu)."""

    name: str
    type: str  # global | message
    callback_id: str
    description: str = ""


@dataclass(frozen=True)
class AppSpec:
    """What an app is made of, however it was described (a manifest, a form, the command line)."""

    name: str
    description: str = ""
    bot_display_name: str = ""
    scopes: tuple[str, ...] = ()
    bot_events: tuple[str, ...] = ()
    socket_mode: bool = False
    request_url: str = ""
    interactivity_url: str = ""
    commands: tuple[CommandSpec, ...] = field(default_factory=tuple)
    shortcuts: tuple[ShortcutSpec, ...] = field(default_factory=tuple)
    unfurl_domains: tuple[str, ...] = ()


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without aliases: an alias can make a few bytes expand into gigabytes (billion laughs)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("aliases (*name) are not allowed in a manifest")
        return super().compose_node(parent, index)


def invalid_manifest(problems: dict[str, str]) -> DomainError:
    summary = "; ".join(f"{pointer or '/'}: {problem}" for pointer, problem in problems.items())
    return DomainError(
        ErrorCode.INVALID_MANIFEST,
        "The manifest is not valid: %(summary)s",
        fields=problems,
        params={"summary": summary},
    )


def load_manifest(text: str | bytes) -> Any:
    """The manifest's data: JSON if it starts like JSON, else YAML (safe, without aliases), size-bounded."""
    raw = text.encode() if isinstance(text, str) else text
    if len(raw) > MANIFEST_MAX_BYTES:
        raise invalid_manifest({"": f"larger than {MANIFEST_MAX_BYTES // 1024} KiB"})
    if raw.lstrip()[:1] in (b"{", b"["):
        try:
            return jsonlimits.loads(raw)
        except jsonlimits.JSONError as error:
            raise invalid_manifest({"": f"not valid JSON ({error})"}) from None
    try:
        return yaml.load(raw.decode("utf-8", errors="strict"), Loader=_NoAliasLoader)
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError) as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise invalid_manifest({"": f"not valid JSON or YAML ({first_line})"}) from None


def parse_manifest(text: str | bytes, *, name: str | None = None) -> AppSpec:
    """Read a manifest into an AppSpec. Raises invalid_manifest, naming every problem by its pointer.

    `name` replaces the manifest's display_information.name. An app without Socket Mode or URLs is
    valid: nothing is delivered to it until its URLs are set (and verified).
    """
    data = load_manifest(text)
    if name is not None and isinstance(data, dict):
        display = data.setdefault("display_information", {})
        if isinstance(display, dict):
            display["name"] = name
    return _Reader(data).spec()


@dataclass(frozen=True)
class AppUrls:
    request_url: str
    interactivity_url: str
    command_urls: dict[str, str]


def check_urls(*, request_url: str | None, interactivity_url: str | None, command_urls: dict[str, str]) -> AppUrls:
    """URLs given one by one (the command line, the admin pages), read by the manifest's URL rule."""
    reader = _Reader({})
    checked = AppUrls(
        request_url=reader.url("/settings/event_subscriptions/request_url", request_url),
        interactivity_url=reader.url("/settings/interactivity/request_url", interactivity_url),
        command_urls={
            command: reader.url(f"/features/slash_commands/{command}/url", url) for command, url in command_urls.items()
        },
    )
    if reader.problems:
        raise invalid_manifest(reader.problems)
    return checked


def spec_from_options(
    *,
    name: str,
    socket_mode: bool = False,
    commands: Sequence[str] = (),
    events: Sequence[str] = (),
    description: str = "",
) -> AppSpec:
    """An AppSpec from a form or the command line, read by the manifest's rules: the events given (or
    DEFAULT_BOT_EVENTS), and DEFAULT_BOT_SCOPES with whatever those events need."""
    events = list(events) or list(DEFAULT_BOT_EVENTS)
    data = {
        "display_information": {"name": name, "description": description},
        "features": {
            "bot_user": {"display_name": name},
            "slash_commands": [{"command": command} for command in commands],
        },
        "oauth_config": {"scopes": {"bot": sorted({*DEFAULT_BOT_SCOPES, *scopes_for_events(events)})}},
        "settings": {"event_subscriptions": {"bot_events": events}, "socket_mode_enabled": socket_mode},
    }
    return _Reader(data).spec()


class _Reader:
    def __init__(self, data: Any):
        self.data = data
        self.problems: dict[str, str] = {}

    def problem(self, pointer: str, text: str) -> None:
        self.problems.setdefault(pointer, text)

    def part(self, pointer: str, allowed: set[str]) -> dict[str, Any]:
        """The mapping at `pointer` (empty if absent), with unknown keys reported."""
        value = self._at(pointer)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(pointer, "must be an object")
            return {}
        for key in value:
            child = f"{pointer}/{key}"
            if child in NOT_SUPPORTED:
                self.problem(child, NOT_SUPPORTED[child])
            elif key not in allowed and child not in IGNORED:
                self.problem(child, "is not a part of a Slack app manifest that is known here")
        return value

    def _at(self, pointer: str) -> Any:
        value = self.data
        for key in pointer.strip("/").split("/") if pointer else []:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value

    def text(self, pointer: str, value: Any, *, max_length: int, required: bool = False) -> str:
        if value is None or value == "":
            if required:
                self.problem(pointer, "is required")
            return ""
        if not isinstance(value, str):
            self.problem(pointer, "must be a string")
            return ""
        value = value.strip()
        if len(value) > max_length:
            self.problem(pointer, f"must be at most {max_length} characters")
        return value

    def url(self, pointer: str, value: Any) -> str:
        url = self.text(pointer, value, max_length=URL_MAX_LENGTH)
        if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname):
            self.problem(pointer, "must be an http or https URL")
        return url

    def flag(self, pointer: str, value: Any) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            self.problem(pointer, "must be true or false")
            return False
        return value

    def names(
        self, pointer: str, value: Any, known: set[str] | frozenset[str] | dict[str, str], what: str
    ) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.problem(pointer, "must be a list of strings")
            return []
        for index, name in enumerate(value):
            if name not in known:
                self.problem(f"{pointer}/{index}", f"{name!r} is not a {what} known here")
        return list(dict.fromkeys(value))

    def spec(self) -> AppSpec:
        if not isinstance(self.data, dict):
            raise invalid_manifest({"": "must be an object"})
        self.part("", {"display_information", "features", "oauth_config", "settings"})
        display = self.part("/display_information", {"name", "description"})
        self.part("/features", {"bot_user", "slash_commands", "shortcuts", "unfurl_domains"})
        bot_user = self.part("/features/bot_user", {"display_name"})
        self.part("/oauth_config", {"scopes"})
        scopes_part = self.part("/oauth_config/scopes", {"bot", "user"})
        settings_part = self.part("/settings", {"event_subscriptions", "interactivity", "socket_mode_enabled"})
        subscriptions = self.part("/settings/event_subscriptions", {"request_url", "bot_events", "user_events"})
        interactivity = self.part("/settings/interactivity", {"is_enabled", "request_url"})
        if "display_information" not in self.data:
            self.problem("/display_information", "is required")
        if scopes_part.get("user"):
            self.problem("/oauth_config/scopes/user", "user scopes need Slack's OAuth install, which is not supported")
        if subscriptions.get("user_events"):
            self.problem("/settings/event_subscriptions/user_events", "user events are not supported")
        socket_mode = self.flag("/settings/socket_mode_enabled", settings_part.get("socket_mode_enabled"))
        scopes = self.names("/oauth_config/scopes/bot", scopes_part.get("bot"), BOT_SCOPES, "bot scope")
        events = self.names(
            "/settings/event_subscriptions/bot_events", subscriptions.get("bot_events"), BOT_EVENTS, "bot event"
        )
        self._check_event_scopes(events, scopes)
        request_url = self.url("/settings/event_subscriptions/request_url", subscriptions.get("request_url"))
        interactive = self.flag("/settings/interactivity/is_enabled", interactivity.get("is_enabled"))
        interactivity_url = self.url("/settings/interactivity/request_url", interactivity.get("request_url"))
        spec = AppSpec(
            name=self.text(
                "/display_information/name", display.get("name"), max_length=APP_NAME_MAX_LENGTH, required=True
            ),
            description=self.text(
                "/display_information/description", display.get("description"), max_length=APP_DESCRIPTION_MAX_LENGTH
            ),
            bot_display_name=self.text(
                "/features/bot_user/display_name", bot_user.get("display_name"), max_length=BOT_DISPLAY_NAME_MAX_LENGTH
            ),
            scopes=tuple(scopes),
            bot_events=tuple(events),
            socket_mode=socket_mode,
            request_url=request_url,
            interactivity_url=interactivity_url if interactive else "",
            commands=tuple(self._commands()),
            shortcuts=tuple(self._shortcuts()),
            unfurl_domains=tuple(self._unfurl_domains()),
        )
        if self.problems:
            raise invalid_manifest(self.problems)
        return spec

    def _check_event_scopes(self, events: list[str], scopes: list[str]) -> None:
        for index, event in enumerate(events):
            needed = BOT_EVENTS.get(event)
            if needed and needed not in scopes:
                pointer = f"/settings/event_subscriptions/bot_events/{index}"
                self.problem(pointer, f"{event} needs the bot scope {needed} (oauth_config.scopes.bot)")

    def _commands(self) -> list[CommandSpec]:
        value = self._at("/features/slash_commands")
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem("/features/slash_commands", "must be a list")
            return []
        commands: list[CommandSpec] = []
        seen: set[str] = set()
        for index, item in enumerate(value):
            pointer = f"/features/slash_commands/{index}"
            if not isinstance(item, dict):
                self.problem(pointer, "must be an object")
                continue
            for key in item:
                if key not in {"command", "url", "description", "usage_hint", "should_escape"}:
                    self.problem(f"{pointer}/{key}", "is not a part of a slash command")
            command = self.text(f"{pointer}/command", item.get("command"), max_length=COMMAND_MAX_LENGTH, required=True)
            if command and not COMMAND_PATTERN.fullmatch(command):
                self.problem(f"{pointer}/command", "must be a slash and up to 31 lower-case letters, digits, - _ or .")
            elif command in seen:
                self.problem(f"{pointer}/command", f"{command} is listed twice")
            seen.add(command)
            url = self.url(f"{pointer}/url", item.get("url"))
            commands.append(
                CommandSpec(
                    command=command,
                    url=url,
                    description=self.text(
                        f"{pointer}/description", item.get("description"), max_length=APP_DESCRIPTION_MAX_LENGTH
                    ),
                    usage_hint=self.text(
                        f"{pointer}/usage_hint", item.get("usage_hint"), max_length=APP_DESCRIPTION_MAX_LENGTH
                    ),
                )
            )
        return commands

    def _shortcuts(self) -> list[ShortcutSpec]:
        value = self._at("/features/shortcuts")
        if value is None:
            return []
        if not isinstance(value, list) or len(value) > SHORTCUTS_MAX:
            self.problem("/features/shortcuts", f"must be a list of at most {SHORTCUTS_MAX}")
            return []
        shortcuts: list[ShortcutSpec] = []
        seen: set[str] = set()
        for index, item in enumerate(value):
            pointer = f"/features/shortcuts/{index}"
            if not isinstance(item, dict):
                self.problem(pointer, "must be an object")
                continue
            for key in item:
                if key not in {"name", "type", "callback_id", "description"}:
                    self.problem(f"{pointer}/{key}", "is not a part of a shortcut")
            if item.get("type") not in ("global", "message"):
                self.problem(f"{pointer}/type", "must be global or message")
            callback_id = self.text(f"{pointer}/callback_id", item.get("callback_id"), max_length=255, required=True)
            if callback_id in seen:
                self.problem(f"{pointer}/callback_id", f"{callback_id} is listed twice")
            seen.add(callback_id)
            shortcuts.append(
                ShortcutSpec(
                    name=self.text(f"{pointer}/name", item.get("name"), max_length=SHORTCUT_NAME_MAX, required=True),
                    type=str(item.get("type")),
                    callback_id=callback_id,
                    description=self.text(f"{pointer}/description", item.get("description"), max_length=150),
                )
            )
        return shortcuts

    def _unfurl_domains(self) -> list[str]:
        """features.unfurl_domains: host names whose links (theirs and their subdomains') the app unfurls,
        told by link_shared (slack_apps.unfurl)."""
        value = self._at("/features/unfurl_domains")
        if value is None:
            return []
        if not isinstance(value, list) or len(value) > UNFURL_DOMAINS_MAX:
            self.problem("/features/unfurl_domains", f"must be a list of at most {UNFURL_DOMAINS_MAX} domains")
            return []
        domains: list[str] = []
        for index, item in enumerate(value):
            domain = item.strip().lower().rstrip(".") if isinstance(item, str) else ""
            if len(domain) > 253 or not DOMAIN_PATTERN.fullmatch(domain):
                self.problem(f"/features/unfurl_domains/{index}", "must be a domain name such as example.com")
            elif domain not in domains:
                domains.append(domain)
        return domains
