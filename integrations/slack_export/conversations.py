"""Importing channels.json, groups.json, dms.json and mpims.json: channels with their topic, purpose
and members; DMs and group DMs with their people.

A Slack channel whose name one of ours already has (#general, first of all) is merged into it
when both are public or both private. New channels go through chat.services.channel_create.
DMs are written here, with the member key dm_open uses, because dm_open admits active people
only and imported history is often with people who have not signed in yet.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from chat.models import Channel, ChannelKind, ChannelMember
from chat.services import channel_archive, channel_create
from chat.services.channels import TOPIC_MAX_LENGTH
from integrations.models import ImportedKind
from integrations.slack_export.reader import Conversation
from integrations.slack_export.run import ImportRun
from slackclone.errors import DomainError
from slackclone.ids import DM_PREFIX, PRIVATE_CHANNEL_PREFIX, new_public_id

KINDS = {
    "public": ChannelKind.PUBLIC,
    "private": ChannelKind.PRIVATE,
    "dm": ChannelKind.DM,
    "group_dm": ChannelKind.GROUP_DM,
}


def _text_of(value: Any) -> str:
    text = value.get("value") if isinstance(value, dict) else value
    return str(text or "").strip()[:TOPIC_MAX_LENGTH]


def _when(raw: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(raw), UTC) if raw else None
    except (TypeError, ValueError, OverflowError):
        return None


def _named(run: ImportRun, conversation: Conversation) -> Channel | None:
    kind = KINDS[conversation.kind]
    name = conversation.folder
    existing = Channel.objects.filter(workspace=run.workspace, name=name).first()
    if existing is not None:
        if existing.kind != kind:
            run.report.skip("channels", f"#{name} already exists here as a {existing.get_kind_display()}", name)
            return None
        run.report.existing["channels"] += 1
        return existing
    try:
        channel = channel_create(
            actor=None,
            workspace=run.workspace,
            name=name,
            is_private=kind == ChannelKind.PRIVATE,
            topic=_text_of(conversation.data.get("topic")),
            purpose=_text_of(conversation.data.get("purpose")),
        )
    except DomainError as error:
        run.report.skip("channels", f"{error.code}: {error.message}", name or conversation.source_id)
        return None
    creator = run.users.get(str(conversation.data.get("creator") or ""))
    created_at = _when(conversation.data.get("created")) or channel.created_at
    Channel.objects.filter(pk=channel.pk).update(created_by=creator, created_at=created_at)
    run.report.created["channels"] += 1
    return channel


def _direct(run: ImportRun, conversation: Conversation) -> Channel | None:
    people = [run.users[member] for member in conversation.members if member in run.users]
    if not people or len(people) < len(set(conversation.members)):
        run.report.skip("DMs", "a member is missing from users.json", conversation.source_id)
        return None
    people = list({user.pk: user for user in people}.values())
    dm_key = ",".join(sorted(user.public_id for user in people))
    existing = Channel.objects.filter(workspace=run.workspace, dm_key=dm_key).first()
    if existing is not None:
        run.report.existing["DMs"] += 1
        return existing
    kind = ChannelKind.DM if len(people) <= 2 else ChannelKind.GROUP_DM
    channel = Channel.objects.create(
        public_id=new_public_id(DM_PREFIX if kind == ChannelKind.DM else PRIVATE_CHANNEL_PREFIX),
        workspace=run.workspace,
        kind=kind,
        dm_key=dm_key,
        created_by=people[0],
        created_at=_when(conversation.data.get("created")) or datetime.now(UTC),
    )
    ChannelMember.objects.bulk_create(
        [ChannelMember(channel=channel, user=user, notify_level="all") for user in people]
    )
    run.report.created["DMs"] += 1
    return channel


@transaction.atomic
def import_conversation(run: ImportRun, conversation: Conversation, known: dict[str, int]) -> Channel | None:
    """The channel a conversation becomes (found again on a re-run), with its members."""
    channel = None
    if conversation.source_id in known:
        channel = Channel.objects.filter(pk=known[conversation.source_id], workspace=run.workspace).first()
        if channel is not None:
            run.report.existing["channels" if conversation.kind in ("public", "private") else "DMs"] += 1
    if channel is None:
        channel = (
            _named(run, conversation) if conversation.kind in ("public", "private") else _direct(run, conversation)
        )
    if channel is None:
        return None
    run.record(ImportedKind.CHANNEL, [(conversation.source_id, channel.pk)])
    members = [run.users[member] for member in conversation.members if member in run.users]
    ChannelMember.objects.bulk_create(
        [ChannelMember(channel=channel, user=user) for user in members], ignore_conflicts=True
    )
    return channel


def import_conversations(run: ImportRun) -> list[tuple[Conversation, Channel]]:
    known = run.mapped(ImportedKind.CHANNEL)
    found = []
    for conversation in run.archive.conversations():
        if not conversation.source_id or not conversation.folder:
            run.report.skip("channels", "no id or name", repr(conversation.data)[:40])
            continue
        channel = import_conversation(run, conversation, known)
        if channel is not None:
            run.channels[conversation.source_id] = channel
            found.append((conversation, channel))
    return found


def finish_conversation(conversation: Conversation, channel: Channel) -> None:
    """After its history: everyone has read it, and it is archived if it was in Slack."""
    channel.refresh_from_db(fields=["last_seq", "is_archived"])
    ChannelMember.objects.filter(channel=channel, last_read_seq__lt=channel.last_seq).update(
        last_read_seq=channel.last_seq
    )
    if conversation.data.get("is_archived") and not channel.is_archived and not channel.is_general:
        channel_archive(actor=None, channel=channel)
