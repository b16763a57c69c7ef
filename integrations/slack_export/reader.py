"""Reading a Slack export zip: its index files and each conversation's messages in ts order."""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath
from typing import Any

from slackclone.errors import DomainError, ErrorCode

DAY_FILE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
INDEX_FILES = ("users.json", "channels.json", "groups.json", "dms.json", "mpims.json")


def normalise_ts(raw: Any) -> str | None:
    """A Slack ts as ours: seconds and exactly six decimals ("1700000000.000100"); None if it is not one."""
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value <= 0:
        return None
    return f"{value:.6f}"


@dataclass
class Conversation:
    """One conversation of the export: its entry in an index file, and the folder its days are in."""

    kind: str  # "public", "private", "dm", "group_dm"
    data: dict[str, Any]
    folder: str

    @property
    def source_id(self) -> str:
        return str(self.data.get("id") or "")

    @property
    def members(self) -> list[str]:
        return [str(member) for member in self.data.get("members") or []]


@dataclass
class ExportArchive:
    """An open export. Index files that are missing read as empty (a free workspace's export has no groups)."""

    zip: zipfile.ZipFile
    root: str = ""
    _days: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def open(cls, path) -> ExportArchive:
        """Raises invalid_arguments when the file is not a zip or has no users.json."""
        try:
            archive = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as error:
            raise DomainError(ErrorCode.INVALID_ARGUMENTS, f"{path} is not a readable zip file ({error}).") from None
        users = [name for name in archive.namelist() if PurePosixPath(name).name == "users.json"]
        if not users:
            raise DomainError(ErrorCode.INVALID_ARGUMENTS, f"{path} has no users.json: not a Slack export.")
        root = str(PurePosixPath(min(users, key=len)).parent).strip(".")
        export = cls(zip=archive, root=f"{root}/" if root else "")
        export._index_days()
        return export

    def _index_days(self) -> None:
        for name in self.zip.namelist():
            path = PurePosixPath(name[len(self.root) :]) if name.startswith(self.root) else None
            if path is None or len(path.parts) != 2 or not DAY_FILE_RE.match(path.name):
                continue
            self._days.setdefault(path.parts[0], []).append(name)

    def read_json(self, name: str, default: Any) -> Any:
        try:
            raw = self.zip.read(self.root + name)
        except KeyError:
            return default
        try:
            return json.loads(raw)
        except ValueError as error:
            raise DomainError(ErrorCode.INVALID_JSON, f"{name} is not valid JSON ({error}).") from None

    def index(self, name: str) -> list[dict[str, Any]]:
        data = self.read_json(name, [])
        return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []

    def users(self) -> list[dict[str, Any]]:
        return self.index("users.json")

    def conversations(self) -> list[Conversation]:
        """Channels, private channels, DMs and group DMs. Channels and group DMs live in folders named
        after them; DMs in folders named by their id."""
        found = [Conversation("public", data, str(data.get("name") or "")) for data in self.index("channels.json")]
        found += [Conversation("private", data, str(data.get("name") or "")) for data in self.index("groups.json")]
        found += [Conversation("dm", data, str(data.get("id") or "")) for data in self.index("dms.json")]
        found += [Conversation("group_dm", data, str(data.get("name") or "")) for data in self.index("mpims.json")]
        return found

    def message_count(self, conversation: Conversation) -> int:
        return sum(len(self._day(name)) for name in self._days.get(conversation.folder, []))

    def _day(self, name: str) -> list[dict[str, Any]]:
        data = json.loads(self.zip.read(name))
        return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []

    def messages(self, conversation: Conversation) -> list[dict[str, Any]]:
        """The conversation's messages, oldest first by ts; entries without a usable ts are dropped."""
        found = []
        for name in sorted(self._days.get(conversation.folder, [])):
            for message in self._day(name):
                ts = normalise_ts(message.get("ts"))
                if ts is not None:
                    found.append({**message, "ts": ts})
        found.sort(key=lambda message: Decimal(message["ts"]))
        return found

    def close(self) -> None:
        self.zip.close()
