"""Importing a conversation's messages: in ts order, with threads, reactions, edits, pins and files.

The rows are written in batches by chat.services.bulk.messages_bulk_insert, the write path for
history (message_post takes a row lock, runs about ten queries and sends a real-time event per
message), which keeps message_post's invariants: seq runs 1..n without gaps, ts grows with seq,
thread roots carry their reply counters, every <@U…> and broadcast has its Mention row, and a bot's
name and icon stay within message_post's limits. The search vector is a generated column, so
imported text is searchable at once.

A message keeps its Slack ts whenever it is above the channel's last ts (always, in a channel the
import made or one that was empty), so permalinks, thread_ts and re-runs line up with Slack's; one
older than what the channel already holds is given the next ts after the last (its created_at keeps
the original time), since history is ordered by seq.

No real-time events are sent for history: clients catch up from the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from chat.blocks import BlocksError, render_text
from chat.models import Channel, Message, Pin
from chat.services.bulk import BulkMessage, messages_bulk_insert, micros_to_datetime
from chat.services.locking import ts_to_micros
from chat.text import check_emoji_name, check_message_text
from integrations.models import ImportedKind
from integrations.slack_export.people import bot_author
from integrations.slack_export.reader import Conversation
from integrations.slack_export.run import ImportRun
from slackclone.errors import DomainError

BATCH_SIZE = 500
KEPT_SUBTYPES = {None, "", "bot_message", "thread_broadcast", "me_message", "file_share", "tombstone"}
# Slack's ids (W… for Enterprise Grid people); a label stops at the next "<", as chat.text's do, so a
# message of repeated openers is matched in linear time.
USER_REF_RE = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^<>]*))?>")
CHANNEL_REF_RE = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|([^<>]*))?>")


def _when(ts: str) -> datetime:
    return micros_to_datetime(ts_to_micros(ts))


def convert_refs(run: ImportRun, text: str) -> str:
    """Slack's <@U…> and <#C…> as our ids; people and channels the import does not know become plain text."""

    def user(match: re.Match) -> str:
        found = run.users.get(match.group(1))
        return f"<@{found.public_id}>" if found else f"@{match.group(2) or match.group(1)}"

    def channel(match: re.Match) -> str:
        found = run.channels.get(match.group(1))
        if found is None:
            return f"#{match.group(2) or match.group(1)}"
        return f"<#{found.public_id}|{found.name}>" if found.name else f"<#{found.public_id}>"

    return CHANNEL_REF_RE.sub(channel, USER_REF_RE.sub(user, text))


def _file_links(message: dict[str, Any]) -> list[str]:
    links = []
    for file in message.get("files") or []:
        if isinstance(file, dict):
            url = file.get("url_private") or file.get("permalink")
            if url:
                links.append(f"<{url}|{file.get('name') or file.get('title') or 'file'}>")
    return links


def imported_text(run: ImportRun, message: dict[str, Any]) -> str:
    """Its text (else the words of its blocks), the words of its attachments, then its files as links."""
    text = str(message.get("text") or "")
    try:
        if not text.strip():
            text = render_text(blocks=message.get("blocks"))
        parts = [text, render_text(attachments=message.get("attachments")), *_file_links(message)]
    except BlocksError:  # blocks or attachments that are not lists of objects: keep what the text says
        parts = [text, *_file_links(message)]
    return convert_refs(run, "\n".join(part for part in parts if part.strip()))


def _bot_display(row: BulkMessage, message: dict[str, Any]) -> None:
    """Slack's name and icon for a bot's message; the insert keeps them within message_post's limits."""
    icons = message.get("icons")
    if not isinstance(icons, dict):
        icons = {}
    row.bot_username = str(message.get("username") or "")
    row.bot_icon_emoji = str(icons.get("emoji") or "")
    row.bot_icon_url = str(icons.get("image_48") or icons.get("image_72") or "")


@dataclass
class _Batch:
    channel: Channel
    conversation: Conversation
    messages: list[tuple[BulkMessage, dict[str, Any]]]


def _author(run: ImportRun, message: dict[str, Any]):
    user = run.users.get(str(message.get("user") or ""))
    if user is None and message.get("bot_id"):
        user = bot_author(run, str(message["bot_id"]), str(message.get("username") or ""))
    return user


def _build(run: ImportRun, channel: Channel, message: dict[str, Any]) -> BulkMessage | None:
    """The row a message becomes (its thread not yet known), or None with the reason recorded."""
    subtype = message.get("subtype")
    where = f"{channel} at {message['ts']}"
    if subtype not in KEPT_SUBTYPES:
        run.report.skip("messages", f"channel event ({subtype})", where)
        return None
    tombstone = subtype == "tombstone"
    if tombstone and not message.get("reply_count"):
        run.report.skip("messages", "deleted, with no thread", where)
        return None
    author = _author(run, message)
    if author is None:
        run.report.skip("messages", "author not in users.json", where)
        return None
    try:
        text = "" if tombstone else check_message_text(imported_text(run, message))
    except DomainError as error:
        run.report.skip("messages", error.code, where)
        return None
    edited = message.get("edited")
    if not isinstance(edited, dict):
        edited = {}
    row = BulkMessage(
        author_id=author.pk,
        text=text,
        at_us=ts_to_micros(message["ts"]),
        reply_broadcast=subtype == "thread_broadcast",
        edited_at=_when(edited["ts"]) if edited.get("ts") and not tombstone else None,
        deleted_at=_when(message["ts"]) if tombstone else None,
    )
    if author.is_bot:
        _bot_display(row, message)
    _add_reactions(run, row, message)
    return row


def _add_reactions(run: ImportRun, row: BulkMessage, message: dict[str, Any]) -> None:
    """Reactions by people the import knows, at the message's time (Slack's export has no time for them)."""
    for reaction in message.get("reactions") or []:
        try:
            emoji = check_emoji_name(str(reaction.get("name") or ""))
        except (DomainError, AttributeError):
            run.report.skip("reactions", "not an emoji name", str(reaction)[:40])
            continue
        for user_id in reaction.get("users") or []:
            if user_id in run.users:
                row.reactions.append((run.users[user_id].pk, emoji, row.at_us))


def _write_batch(run: ImportRun, batch: _Batch, roots: dict[str, int]) -> None:
    """Insert one batch, replies joined to their roots (found by Slack's thread_ts), then its pins."""
    new_roots: dict[str, BulkMessage] = {}
    for row, source in batch.messages:
        thread_ts = source.get("thread_ts")
        if thread_ts and thread_ts != source["ts"] and thread_ts in new_roots:
            row.thread_root = new_roots[thread_ts]
        elif thread_ts and thread_ts != source["ts"] and thread_ts in roots:
            row.thread_root = roots[thread_ts]
        else:
            new_roots[source["ts"]] = row
    messages_bulk_insert(channel=batch.channel, rows=[row for row, _ in batch.messages])
    roots.update((ts, row.pk) for ts, row in new_roots.items())
    pins = [
        Pin(message_id=row.pk, channel=batch.channel, created_at=row.created_at)
        for row, source in batch.messages
        if batch.conversation.source_id in (source.get("pinned_to") or []) and row.deleted_at is None
    ]
    Pin.objects.bulk_create(pins, ignore_conflicts=True)
    source_key = batch.conversation.source_id
    run.record(ImportedKind.MESSAGE, [(f"{source_key}:{source['ts']}", row.pk) for row, source in batch.messages])


def import_history(run: ImportRun, conversation: Conversation, channel: Channel) -> None:
    """Every message of the conversation an earlier run did not import, oldest first, in batches."""
    prefix = f"{conversation.source_id}:"
    done = {key[len(prefix) :]: pk for key, pk in run.mapped(ImportedKind.MESSAGE, prefix).items()}
    # Threads are found by Slack's ts (ours may differ for a re-stamped message), among top-level messages.
    top_level = set(Message.objects.filter(pk__in=done.values(), thread_root__isnull=True).values_list("pk", flat=True))
    roots = {ts: pk for ts, pk in done.items() if pk in top_level}
    pending = [message for message in run.archive.messages(conversation) if message["ts"] not in done]
    run.progress(len(done) if done else 0)
    for start in range(0, len(pending), BATCH_SIZE):
        chunk = pending[start : start + BATCH_SIZE]
        with transaction.atomic():
            rows = []
            for source in chunk:
                row = _build(run, channel, source)
                if row is not None:
                    rows.append((row, source))
            if rows:
                _write_batch(run, _Batch(channel, conversation, rows), roots)
                run.report.created["messages"] += len(rows)
        run.progress(len(chunk))
    run.report.existing["messages"] += len(done)
