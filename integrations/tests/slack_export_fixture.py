"""A small Slack export, built as Slack's export tool lays it out, for the import and export tests."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

ROOT_TS = "1700000000.000100"
DAY1, DAY2 = "2023-11-14", "2023-11-15"  # ROOT_TS is 2023-11-14 22:13:20 UTC


def build_export(path: Path, *, member_email: str) -> Path:
    """U1 is an existing account (matched by `member_email`); U2 is new; U3 deleted; UBOT a bot with no email."""
    users = [
        {"id": "U1", "team_id": "TS1", "name": "mia", "profile": {"email": member_email, "real_name": "Mia"}},
        {
            "id": "U2",
            "team_id": "TS1",
            "name": "newbie",
            "profile": {"email": "Newbie@Example.test", "real_name": "New Person", "title": "Chef"},
        },
        {"id": "U3", "team_id": "TS1", "name": "gone", "deleted": True, "profile": {"email": "gone@example.test"}},
        {"id": "UBOT", "team_id": "TS1", "name": "ci", "is_bot": True, "profile": {"real_name": "CI"}},
        {"id": "U4", "team_id": "TS1", "name": "ghost", "profile": {}},
    ]
    channels = [
        {"id": "C1", "name": "general", "created": 1600000000, "members": ["U1", "U2"], "is_general": True},
        {
            "id": "C2",
            "name": "launch",
            "created": 1600000001,
            "creator": "U1",
            "members": ["U1", "U2", "U3"],
            "topic": {"value": "Ship it"},
            "purpose": {"value": "Launches"},
        },
        {"id": "C3", "name": "old-stuff", "created": 1600000002, "members": ["U1"], "is_archived": True},
        {"id": "C4", "name": "Bad Name!", "created": 1600000003, "members": ["U1"]},
    ]
    groups = [{"id": "G1", "name": "secret", "created": 1600000004, "members": ["U1", "U2"]}]
    dms = [{"id": "D1", "created": 1600000005, "members": ["U1", "U2"]}]
    mpims = [{"id": "G2", "name": "mpdm-mia--newbie--gone-1", "created": 1600000006, "members": ["U1", "U2", "U3"]}]
    general_day1 = [
        {
            "type": "message",
            "user": "U1",
            "text": "hello <@U2|newbie>",
            "ts": ROOT_TS,
            "thread_ts": ROOT_TS,
            "reply_count": 2,
            "reactions": [{"name": "tada", "users": ["U1", "U2"], "count": 2}],
            "pinned_to": ["C1"],
        },
        {
            "type": "message",
            "subtype": "channel_join",
            "user": "U2",
            "text": "<@U2> has joined",
            "ts": "1700000001.000000",
        },
        {
            "type": "message",
            "user": "U2",
            "text": "a reply to <@U1>",
            "ts": "1700000002.000000",
            "thread_ts": ROOT_TS,
            "parent_user_id": "U1",
        },
        {
            "type": "message",
            "subtype": "thread_broadcast",
            "user": "U2",
            "text": "broadcast",
            "ts": "1700000003.000000",
            "thread_ts": ROOT_TS,
        },
        {"type": "message", "user": "UNKNOWN", "text": "who am I", "ts": "1700000004.000000"},
    ]
    general_day2 = [
        {
            "type": "message",
            "user": "U1",
            "text": "typo fixed",
            "ts": "1700050000.000000",
            "edited": {"user": "U1", "ts": "1700050060.000000"},
        },
        {
            "type": "message",
            "subtype": "bot_message",
            "bot_id": "B9",
            "username": "deploy",
            "text": "",
            "icons": {"emoji": ":rocket:"},
            "ts": "1700050001.000000",
            "attachments": [{"fallback": "fb", "pretext": "Deployed", "fields": [{"title": "env", "value": "prod"}]}],
        },
        {"type": "message", "user": "UBOT", "text": "from the bot user", "ts": "1700050002.000000"},
        {
            "type": "message",
            "subtype": "file_share",
            "user": "U1",
            "text": "the plan",
            "ts": "1700050003.000000",
            "files": [{"id": "F1", "name": "plan.pdf", "url_private": "https://files.slack.com/plan.pdf"}],
        },
    ]
    days = {
        f"general/{DAY1}.json": general_day1,
        f"general/{DAY2}.json": general_day2,
        f"launch/{DAY1}.json": [
            {"type": "message", "user": "U3", "text": "see <#C1|general>", "ts": "1700000010.000000"},
            {"type": "message", "user": "U1", "text": "x" * 50_000, "ts": "1700000011.000000"},
        ],
        f"old-stuff/{DAY1}.json": [{"type": "message", "user": "U1", "text": "ancient", "ts": "1700000020.000000"}],
        f"secret/{DAY1}.json": [{"type": "message", "user": "U2", "text": "psst", "ts": "1700000030.000000"}],
        f"D1/{DAY1}.json": [{"type": "message", "user": "U2", "text": "hi in private", "ts": "1700000040.000000"}],
        f"mpdm-mia--newbie--gone-1/{DAY1}.json": [
            {"type": "message", "user": "U3", "text": "three of us", "ts": "1700000050.000000"}
        ],
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in {
            "users.json": users,
            "channels.json": channels,
            "groups.json": groups,
            "dms.json": dms,
            "mpims.json": mpims,
            **days,
        }.items():
            archive.writestr(name, json.dumps(data))
    return path


def edit_export(source: Path, target: Path, changes: dict[str, Any]) -> Path:
    """A copy of the export at `source` with some entries changed: each value of `changes` is the
    entry's new content (bytes as they are, anything else as JSON), or a function given the entry's
    JSON that returns its new content. Entries not in `source` are added."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for name in original.namelist():
            content = changes.get(name, original.read(name))
            if callable(content):
                content = content(json.loads(original.read(name)))
            copy.writestr(name, content if isinstance(content, bytes) else json.dumps(content))
        for name, content in changes.items():
            if name not in original.namelist():
                copy.writestr(name, content if isinstance(content, bytes) else json.dumps(content))
    return target
