"""export_workspace: Slack's export format, which import_slack_export reads back into the same workspace shape."""

from __future__ import annotations

import json
import re
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command

from chat.models import Channel, ChannelKind, Message
from chat.services import (
    channel_archive,
    channel_create,
    channel_invite,
    dm_open,
    message_delete,
    message_edit,
    message_post,
    pin_add,
    reaction_add,
)
from integrations.services import WebhookPost, webhook_create, webhook_post
from integrations.slack_export.importer import import_slack_export
from slackclone.testing.factories import workspace_with_owner

pytestmark = pytest.mark.django_db

CHANNEL_ID_RE = re.compile(r"<#[CGD][A-Z0-9]+")


def build_history(team) -> None:
    general = team.general
    root = message_post(sender=team.member, channel=general, text=f"plan for <@{team.owner.public_id}>")
    message_post(sender=team.owner, channel=general, text="reply", thread_ts=root.ts)
    message_post(sender=team.admin, channel=general, text="also here", thread_ts=root.ts, reply_broadcast=True)
    reaction_add(actor=team.owner, message=root, emoji="tada")
    pin_add(actor=team.owner, message=root)
    edited = message_post(sender=team.member, channel=general, text="draft")
    message_edit(actor=team.member, message=edited, text="final")
    gone = message_post(sender=team.member, channel=general, text="oops")
    message_delete(actor=team.member, message=gone)
    webhook, _ = webhook_create(actor=team.admin, channel=general, name="CI")
    webhook_post(webhook=webhook, post=WebhookPost(text="deployed", username="ci", icon_emoji=":rocket:"))
    private = channel_create(actor=team.owner, workspace=team.workspace, name="leads", is_private=True, topic="T")
    channel_invite(actor=team.owner, channel=private, users=[team.admin])
    message_post(sender=team.admin, channel=private, text=f"see <#{general.public_id}|general>")
    old = channel_create(actor=team.owner, workspace=team.workspace, name="archive-me", purpose="P")
    message_post(sender=team.owner, channel=old, text="last words")
    channel_archive(actor=team.owner, channel=old)
    dm, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.other_member])
    message_post(sender=team.member, channel=dm, text="dm text")
    group, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.other_member, team.owner])
    message_post(sender=team.owner, channel=group, text="group text")


def shape(workspace) -> dict:
    """What must survive the round trip: channels with their members, and every message's content.

    Channel links name the new workspace's channel ids; a deleted message with no thread is not
    exported (as in Slack's exports), so it is not expected back."""
    result = {}
    for channel in Channel.objects.filter(workspace=workspace):
        members = set(channel.memberships.values_list("user__email", flat=True))
        key = channel.name or (channel.kind, frozenset(members))
        messages = [
            (
                m.ts,
                m.author.email,
                CHANNEL_ID_RE.sub("<#", m.text),
                m.thread_root.ts if m.thread_root_id else None,
                m.reply_count,
                m.reply_broadcast,
                m.is_deleted,
                m.edited_at is not None,
                m.bot_username,
                m.bot_icon_emoji,
                sorted(m.reactions.values_list("emoji", "user__email")),
                hasattr(m, "pin"),
            )
            for m in Message.objects.filter(channel=channel).select_related("author", "thread_root").order_by("seq")
            if not (m.is_deleted and not m.reply_count)
        ]
        result[key] = (channel.kind, channel.topic, channel.purpose, channel.is_archived, members, messages)
    return result


def test_export_writes_slacks_layout(tmp_path, team):
    build_history(team)
    out = tmp_path / "out.zip"
    stdout = StringIO()
    call_command("export_workspace", team.workspace.slug, str(out), stdout=stdout)
    assert "conversations" in stdout.getvalue()
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        assert {"users.json", "channels.json", "groups.json", "dms.json", "mpims.json"} <= names
        channels = json.loads(archive.read("channels.json"))
        general = next(c for c in channels if c["name"] == "general")
        assert general["is_general"] is True
        day_files = sorted(name for name in names if name.startswith("general/"))
        messages = [m for name in day_files for m in json.loads(archive.read(name))]
        users = {u["id"]: u for u in json.loads(archive.read("users.json"))}
    assert users[team.member.public_id]["profile"]["email"] == team.member.email
    root = messages[0]
    assert (root["user"], root["reply_count"], root["pinned_to"]) == (team.member.public_id, 2, [general["id"]])
    assert root["reactions"] == [{"name": "tada", "users": [team.owner.public_id], "count": 1}]
    bot = next(m for m in messages if m.get("subtype") == "bot_message")
    assert (bot["username"], bot["icons"]) == ("ci", {"emoji": ":rocket:"})
    assert not any(m["text"] == "oops" for m in messages)
    assert [m["ts"] for m in messages] == sorted(m["ts"] for m in messages)


def test_export_then_import_into_a_fresh_workspace_gives_the_same_channels_members_and_messages(tmp_path, team):
    build_history(team)
    out = tmp_path / "roundtrip.zip"
    call_command("export_workspace", team.workspace.slug, str(out), stdout=StringIO())
    fresh = workspace_with_owner(team.owner, slug="fresh-start")
    import_slack_export(workspace=fresh, path=out)
    assert shape(fresh) == shape(team.workspace)
    general = Channel.objects.get(workspace=fresh, name="general")
    assert general.kind == ChannelKind.PUBLIC
    assert Message.objects.filter(channel=general).count() == 5  # six posted, one deleted with no thread
    assert [m.seq for m in Message.objects.filter(channel=general).order_by("seq")] == [1, 2, 3, 4, 5]
