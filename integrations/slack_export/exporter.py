"""export_workspace: a workspace as a Slack export zip, the format import_slack_export reads.

users.json (every member, deactivated ones as deleted), channels.json (public), groups.json
(private), dms.json, mpims.json, and <folder>/<YYYY-MM-DD>.json per conversation per UTC day
(channels and group DMs by name, DMs by id). Messages are Slack's shape (chat.wire.message_to_wire):
threads, broadcasts, edits, reactions, bot names and icons, pins as pinned_to, and files with
absolute url_private links. Deleted messages are left out unless a thread hangs from them (a
tombstone, as Slack exports it). The workspace's custom emoji, if any, as emoji.json (emoji.list's
shape) with each image at emojis/<name>.<png|gif>, the layout the importer reads. It is the trusted
operator's export: every conversation, DMs included.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from audit.models import AuditAction
from audit.services import audit_record
from chat.models import Channel, ChannelKind, ChannelMember, Message
from chat.selectors import custom_emoji, messages_for_wire
from chat.wire import emoji_value, message_to_wire
from workspaces.models import Membership, Role, Workspace

INDEX_BY_KIND = {
    ChannelKind.PUBLIC: "channels.json",
    ChannelKind.PRIVATE: "groups.json",
    ChannelKind.DM: "dms.json",
    ChannelKind.GROUP_DM: "mpims.json",
}
CHUNK = 2_000
WIRE_ONLY_FIELDS = ("channel", "seq", "deleted", "client_msg_id")


def _user_entry(membership: Membership) -> dict[str, Any]:
    user = membership.user
    return {
        "id": user.public_id,
        "team_id": membership.workspace.public_id,
        "name": user.email.split("@", 1)[0],
        "real_name": user.full_name or user.name,
        "deleted": not (user.is_active and membership.is_active),
        "is_bot": user.is_bot,
        "is_owner": membership.role == Role.OWNER,
        "is_admin": membership.role in (Role.OWNER, Role.ADMIN),
        "is_restricted": membership.role == Role.GUEST,
        "tz": user.timezone,
        "profile": {
            "email": user.email,
            "real_name": user.full_name,
            "display_name": user.display_name,
            "title": user.title,
        },
    }


def folder_name(channel: Channel, members: list[str], names: dict[str, str]) -> str:
    if channel.kind == ChannelKind.DM:
        return channel.public_id
    if channel.kind == ChannelKind.GROUP_DM:
        return "mpdm-" + "--".join(sorted(names.get(member, member) for member in members)) + "-1"
    return channel.name or channel.public_id


def _channel_entry(channel: Channel, members: list[str], folder: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": channel.public_id,
        "created": int(channel.created_at.timestamp()),
        "creator": channel.created_by.public_id if channel.created_by else "",
        "is_archived": channel.is_archived,
        "members": members,
    }
    if channel.kind in (ChannelKind.PUBLIC, ChannelKind.PRIVATE, ChannelKind.GROUP_DM):
        entry["name"] = folder
    if channel.kind in (ChannelKind.PUBLIC, ChannelKind.PRIVATE):
        entry["is_general"] = channel.is_general
        entry["topic"] = {"value": channel.topic, "creator": "", "last_set": 0}
        entry["purpose"] = {"value": channel.purpose, "creator": "", "last_set": 0}
    return entry


def message_entry(message: Message, pinned: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {
        key: value for key, value in message_to_wire(message).items() if key not in WIRE_ONLY_FIELDS
    }
    if message.is_deleted:
        entry["text"] = "This message was deleted."
    for file in entry.get("files", []):
        for key in ("url_private", "thumb_url"):
            if file.get(key):
                file[key] = settings.SITE_URL + file[key]
    if pinned:
        entry["pinned_to"] = [message.channel.public_id]
    return entry


def _days(channel: Channel) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(YYYY-MM-DD, that day's messages) in order, reading the history in chunks by seq."""
    day, after = "", 0
    batch: list[dict[str, Any]] = []
    while True:
        rows = list(
            messages_for_wire()
            .select_related("pin")
            .filter(channel=channel, seq__gt=after)
            .exclude(deleted_at__isnull=False, reply_count=0)
            .order_by("seq")[:CHUNK]
        )
        if not rows:
            break
        after = rows[-1].seq
        for message in rows:
            message_day = datetime.fromtimestamp(float(message.ts), UTC).strftime("%Y-%m-%d")
            if message_day != day and batch:
                yield day, batch
                batch = []
            day = message_day
            batch.append(message_entry(message, pinned=hasattr(message, "pin")))
    if batch:
        yield day, batch


def _write_emoji(archive: zipfile.ZipFile, workspace: Workspace) -> int:
    """emoji.json and emojis/<name>.<extension>; returns how many emoji (aliases included) it wrote."""
    index: dict[str, str] = {}
    for emoji in custom_emoji(workspace=workspace):
        value = emoji_value(emoji, workspace_id=workspace.public_id)
        if emoji.is_alias:
            index[emoji.name] = value
            continue
        index[emoji.name] = f"{settings.SITE_URL}{value}"
        extension = emoji.image.name.rsplit(".", 1)[-1]
        with emoji.image.open("rb") as image:
            archive.writestr(f"emojis/{emoji.name}.{extension}", image.read())
    if index:
        archive.writestr("emoji.json", _dump(index))
    return len(index)


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)


def export_workspace(
    *, workspace: Workspace, path: str | Path, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Write the workspace to a zip at `path`; returns how many users, conversations, messages and emoji it holds.

    Callers: the export_workspace command (the trusted operator); tests. Sends no events; records audit
    EXPORT_RUN once the archive is written (a copy of everything left the database).
    """
    memberships = Membership.objects.filter(workspace=workspace).select_related("user", "workspace").order_by("pk")
    users = [_user_entry(membership) for membership in memberships]
    names = {entry["id"]: entry["name"] for entry in users}
    indexes: dict[str, list] = {name: [] for name in INDEX_BY_KIND.values()}
    counts = {"users": len(users), "conversations": 0, "messages": 0, "emoji": 0}
    channels = Channel.objects.filter(workspace=workspace).select_related("created_by").order_by("pk")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for channel in channels:
            members = list(
                ChannelMember.objects.filter(channel=channel).order_by("pk").values_list("user__public_id", flat=True)
            )
            folder = folder_name(channel, members, names)
            indexes[INDEX_BY_KIND[ChannelKind(channel.kind)]].append(_channel_entry(channel, members, folder))
            counts["conversations"] += 1
            for day, messages in _days(channel):
                archive.writestr(f"{folder}/{day}.json", _dump(messages))
                counts["messages"] += len(messages)
                if progress is not None:
                    progress(len(messages))
        archive.writestr("users.json", _dump(users))
        for name, entries in indexes.items():
            archive.writestr(name, _dump(entries))
        counts["emoji"] = _write_emoji(archive, workspace)
    audit_record(
        action=AuditAction.EXPORT_RUN,
        workspace=workspace,
        target=workspace,
        target_label=workspace.name,
        data={"what": "slack_export", "file": Path(path).name, **counts},
    )
    return counts
