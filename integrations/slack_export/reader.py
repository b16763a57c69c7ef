"""Reading a Slack export zip: its index files and each conversation's messages in ts order.

An export comes from outside, so it is read defensively: entries are streamed out of the zip and
refused as soon as one passes the IMPORT_* caps (the zip's own headers are not trusted for that),
and `check` reads every file the import will read, and checks its shape (shapes.py), before the
import writes anything.
"""

from __future__ import annotations

import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings

from integrations.slack_export.shapes import CONVERSATION, MESSAGE, USER, Check, check_emoji_index, check_file
from slackclone import jsonlimits
from slackclone.errors import DomainError, ErrorCode

DAY_FILE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
INDEX_FILES = ("users.json", "channels.json", "groups.json", "dms.json", "mpims.json")
# (Conversation.kind, the index file, the field naming the folder its days are in)
CONVERSATION_FILES = (
    ("public", "channels.json", "name"),
    ("private", "groups.json", "name"),
    ("dm", "dms.json", "id"),
    ("group_dm", "mpims.json", "name"),
)
# A workspace's custom emoji, when the export has them (slackdump's `emoji` layout): an index of
# emoji.list's shape, and each image at emojis/<name>.<extension>.
EMOJI_INDEX_FILES = ("emoji.json", "index.json")
EMOJI_FOLDER = "emojis"
EMOJI_EXTENSIONS = ("png", "gif", "jpg", "jpeg", "webp")
CHUNK_BYTES = 1024 * 1024
# Below this an entry is never refused for its compression ratio: small files of repeated text
# compress well, and cannot hurt.
RATIO_FLOOR_BYTES = 1024 * 1024
READABLE_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def normalise_ts(raw: Any) -> str | None:
    """A Slack ts as ours: seconds and exactly six decimals ("1700000000.000100"); None if it is not one."""
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value <= 0:
        return None
    return f"{value:.6f}"


def shown(name: str) -> str:
    """An entry's name as it can be printed: the zip chooses it, so control characters are escaped."""
    return repr(name)[1:-1]


def _load_json(name: str, raw: bytes | bytearray) -> Any:
    """The JSON in an entry of the export, or invalid_json naming the entry: not UTF-8, nested deeper
    than settings.JSON_MAX_DEPTH (slackclone.jsonlimits), or not JSON."""
    if json.detect_encoding(bytes(raw[:4])) not in ("utf-8", "utf-8-sig"):
        raise DomainError(
            ErrorCode.INVALID_JSON, "%(shown_name)s is not UTF-8 JSON.", params={"shown_name": shown(name)}
        )
    try:
        return jsonlimits.loads(raw)
    except ValueError as error:
        raise DomainError(
            ErrorCode.INVALID_JSON,
            "%(shown_name)s is not valid JSON (%(error)s).",
            params={"shown_name": shown(name), "error": error},
        ) from None


def _refuse(message: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_EXPORT, message)


def _too_large(name: str, limit: int) -> DomainError:
    return DomainError(
        ErrorCode.FILE_TOO_LARGE,
        "%(shown_name)s is larger than %(limit)s bytes.",
        params={"shown_name": shown(name), "limit": limit},
    )


@dataclass(frozen=True)
class ReadLimits:
    """How much of an archive the importer reads: the IMPORT_* settings (README, Configuration)."""

    entry_bytes: int
    total_bytes: int
    entries: int
    ratio: int

    @classmethod
    def from_settings(cls) -> ReadLimits:
        return cls(
            entry_bytes=settings.IMPORT_ENTRY_MAX_BYTES,
            total_bytes=settings.IMPORT_TOTAL_MAX_BYTES,
            entries=settings.IMPORT_MAX_ENTRIES,
            ratio=settings.IMPORT_MAX_COMPRESSION_RATIO,
        )

    def check_entry(self, name: str, size: int, compressed: int) -> None:
        """Raises invalid_export once `size` uncompressed bytes of an entry are more than it may hold."""
        if size > self.entry_bytes:
            raise _refuse(
                f"{shown(name)} is larger than {self.entry_bytes} bytes uncompressed (IMPORT_ENTRY_MAX_BYTES): refused."
            )
        if size > max(compressed * self.ratio, RATIO_FLOOR_BYTES):
            raise _refuse(
                f"{shown(name)} expands more than {self.ratio} times its compressed size "
                "(IMPORT_MAX_COMPRESSION_RATIO): refused as a likely zip bomb."
            )

    def check_total(self, total: int, where: str) -> None:
        if total > self.total_bytes:
            raise _refuse(
                f"The export's files come to more than {self.total_bytes} bytes uncompressed {where} "
                "(IMPORT_TOTAL_MAX_BYTES): refused."
            )


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
    """An open export. Index files that are missing read as empty (a free workspace's export has no groups).

    Names below are relative to the export's root folder ("users.json", "general/2023-11-14.json").
    """

    zip: zipfile.ZipFile
    limits: ReadLimits
    root: str = ""
    _days: dict[str, list[str]] = field(default_factory=dict)
    _counts: dict[str, int] = field(default_factory=dict)
    _counted: set[str] = field(default_factory=set)
    _total: int = 0

    @classmethod
    def open(cls, path) -> ExportArchive:
        """Raises invalid_arguments when the file is not a zip or has no users.json; invalid_export when
        it holds more entries, or declares more bytes, than the IMPORT_* settings allow."""
        try:
            archive = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as error:
            raise DomainError(
                ErrorCode.INVALID_ARGUMENTS,
                "%(path)s is not a readable zip file (%(error)s).",
                params={"path": path, "error": error},
            ) from None
        try:
            return cls._of(archive, path)
        except DomainError:
            archive.close()
            raise

    @classmethod
    def _of(cls, archive: zipfile.ZipFile, path) -> ExportArchive:
        limits = ReadLimits.from_settings()
        if len(archive.infolist()) > limits.entries:
            raise _refuse(f"{path} holds more than {limits.entries} entries (IMPORT_MAX_ENTRIES).")
        users = [name for name in archive.namelist() if PurePosixPath(name).name == "users.json"]
        if not users:
            raise DomainError(
                ErrorCode.INVALID_ARGUMENTS, "%(path)s has no users.json: not a Slack export.", params={"path": path}
            )
        root = str(PurePosixPath(min(users, key=len)).parent).strip(".")
        export = cls(zip=archive, limits=limits, root=f"{root}/" if root else "")
        export._index_days()
        declared = sum(info.file_size for info in export._entries_read())
        limits.check_total(declared, "by the sizes its zip headers declare")
        return export

    def _index_days(self) -> None:
        seen = set()
        for name in self.zip.namelist():
            path = PurePosixPath(name[len(self.root) :]) if name.startswith(self.root) else None
            if path is None or len(path.parts) != 2 or not DAY_FILE_RE.match(path.name) or name in seen:
                continue
            seen.add(name)
            self._days.setdefault(path.parts[0], []).append(str(path))

    def _entries_read(self) -> list[zipfile.ZipInfo]:
        """The zip entries an import reads: the index files and every day file."""
        emoji = [name[len(self.root) :] for name in self.zip.namelist() if self._is_emoji_entry(name)]
        names = [*INDEX_FILES, *EMOJI_INDEX_FILES, *emoji, *(day for days in self._days.values() for day in days)]
        found = []
        for name in names:
            try:
                found.append(self.zip.getinfo(self.root + name))
            except KeyError:
                continue
        return found

    def _is_emoji_entry(self, name: str) -> bool:
        path = PurePosixPath(name[len(self.root) :]) if name.startswith(self.root) else None
        return path is not None and len(path.parts) == 2 and path.parts[0] == EMOJI_FOLDER

    def _read(self, name: str, *, limit: int | None = None) -> bytearray | None:
        """The entry's uncompressed bytes (None when there is none), streamed out of the zip in chunks
        and refused as soon as they pass a cap, whatever sizes the zip's headers declare. `limit`, a
        smaller cap of the caller's, is file_too_large (checked on the declared size before reading)."""
        try:
            info = self.zip.getinfo(self.root + name)
        except KeyError:
            return None
        if limit is not None and info.file_size > limit:
            raise _too_large(name, limit)
        if info.compress_type not in READABLE_METHODS:
            raise _refuse(
                f"{shown(name)} is compressed with a method other than deflate (method {info.compress_type})."
            )
        total = 0 if name in self._counted else self._total
        data = bytearray()
        try:
            with self.zip.open(info) as stream:
                while chunk := stream.read(CHUNK_BYTES):
                    data += chunk
                    if limit is not None and len(data) > limit:
                        raise _too_large(name, limit)
                    self.limits.check_entry(name, len(data), info.compress_size)
                    self.limits.check_total(total + len(data), f"by {shown(name)}")
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, OSError) as error:
            raise _refuse(f"{shown(name)} cannot be read from the zip ({error}).") from None
        if name not in self._counted:
            self._counted.add(name)
            self._total += len(data)
        return data

    def read_json(self, name: str, default: Any) -> Any:
        raw = self._read(name)
        return default if raw is None else _load_json(name, raw)

    def index(self, name: str, item: Check) -> list[dict[str, Any]]:
        """An index file's entries, each checked against `item` (shapes.USER, shapes.CONVERSATION)."""
        return check_file(shown(name), self.read_json(name, []), item)

    def users(self) -> list[dict[str, Any]]:
        return self.index("users.json", USER)

    def conversations(self) -> list[Conversation]:
        """Channels, private channels, DMs and group DMs. Channels and group DMs live in folders named
        after them; DMs in folders named by their id."""
        found = []
        for kind, name, folder in CONVERSATION_FILES:
            found += [Conversation(kind, data, str(data.get(folder) or "")) for data in self.index(name, CONVERSATION)]
        return found

    def emoji_index(self) -> dict[str, str]:
        """The export's custom emoji, name → image URL or "alias:<name>" (empty when it has none)."""
        for name in EMOJI_INDEX_FILES:
            data = self.read_json(name, None)
            if data is not None:
                return check_emoji_index(shown(name), data)
        return {}

    def emoji_image(self, name: str, value: str, *, limit: int) -> bytes | None:
        """The image of emoji `name` (emojis/<name>.<extension>, the extension its URL's first), or None.
        Raises: file_too_large (over `limit`), invalid_export (over the IMPORT_* caps)."""
        suffix = PurePosixPath(value.split("?", 1)[0]).suffix.lstrip(".").lower()
        extensions = [suffix, *EMOJI_EXTENSIONS] if suffix in EMOJI_EXTENSIONS else list(EMOJI_EXTENSIONS)
        for extension in extensions:
            data = self._read(f"{EMOJI_FOLDER}/{name}.{extension}", limit=limit)
            if data is not None:
                return bytes(data)
        return None

    def check(self) -> None:
        """Read and check every file the import will read, through the caps and against its shape
        (shapes.py), before the import writes anything. Raises invalid_export or invalid_json naming
        the first file that is refused. Memory holds one file at a time. (Emoji images are checked one
        by one as they are imported: one that is refused is skipped, the rest of the import goes on.)"""
        self.users()
        self.emoji_index()
        for conversation in self.conversations():
            self.message_count(conversation)

    def message_count(self, conversation: Conversation) -> int:
        """How many messages the conversation's day files hold (counted once, by `check`)."""
        folder = conversation.folder
        if folder not in self._counts:
            self._counts[folder] = sum(len(self._day(name)) for name in self._days.get(folder, []))
        return self._counts[folder]

    def _day(self, name: str) -> list[dict[str, Any]]:
        return check_file(shown(name), self.read_json(name, []), MESSAGE)

    def messages(self, conversation: Conversation) -> list[dict[str, Any]]:
        """The conversation's messages, oldest first by ts; ones whose ts is zero are dropped."""
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
