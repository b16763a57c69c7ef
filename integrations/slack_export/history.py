"""Importing a conversation's messages: in ts order, with threads, reactions, edits, pins and files.

The rows are written in batches, not through message_post (which takes a row lock, runs about
ten queries and sends a real-time event per message), but with the same invariants, as the demo's
bulk loader (chat/seeding/bulk.py) does:

- each batch locks the channel row (chat.services.locking.lock_channel) and continues from its
  last_seq and last_ts, so seq runs 1..n without gaps and ts grows with seq;
- a message keeps its Slack ts whenever it is above the channel's last ts (always, in a channel
  the import made or one that was empty), so permalinks, thread_ts and re-runs line up with
  Slack's; one older than what the channel already holds is given the next ts after the last
  (its created_at keeps the original time), since history is ordered by seq;
- thread roots carry reply_count, latest_reply_ts and changed_at_seq; every <@U…> and broadcast
  has its Mention row (chat.services.messages.mention_rows); the search vector is a generated
  column, so imported text is searchable at once.

No real-time events are sent for history: clients catch up from the database.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce

from chat.blocks import BlocksError, render_text
from chat.models import Channel, Mention, Message, Pin, Reaction
from chat.services.locking import lock_channel, stamp_change
from chat.services.messages import mention_rows
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


def _micros(ts: str) -> int:
    seconds, _, micros = ts.partition(".")
    return int(seconds) * 1_000_000 + int(micros or 0)


def _ts(micros: int) -> str:
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def _when(ts: str) -> datetime:
    return datetime.fromtimestamp(_micros(ts) / 1_000_000, UTC)


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


def _bot_display(message: dict[str, Any]) -> dict[str, str]:
    icons = message.get("icons")
    if not isinstance(icons, dict):
        icons = {}
    display = {"bot_username": str(message.get("username") or "")[:80], "bot_icon_emoji": "", "bot_icon_url": ""}
    with contextlib.suppress(DomainError):
        display["bot_icon_emoji"] = f":{check_emoji_name(icons['emoji'])}:" if icons.get("emoji") else ""
    url = str(icons.get("image_48") or icons.get("image_72") or "")
    if not display["bot_icon_emoji"] and url.startswith(("https://", "http://")) and len(url) <= 500:
        display["bot_icon_url"] = url
    return display


@dataclass
class _Batch:
    channel: Channel
    conversation: Conversation
    messages: list[tuple[Message, dict[str, Any]]]


def _author(run: ImportRun, message: dict[str, Any]):
    user = run.users.get(str(message.get("user") or ""))
    if user is None and message.get("bot_id"):
        user = bot_author(run, str(message["bot_id"]), str(message.get("username") or ""))
    return user


def _build(run: ImportRun, channel: Channel, message: dict[str, Any]) -> Message | None:
    """The row a message becomes (seq and ts not yet set), or None with the reason recorded."""
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
    row = Message(
        channel=channel,
        author=author,
        text=text,
        reply_broadcast=subtype == "thread_broadcast",
        created_at=_when(message["ts"]),
        edited_at=_when(edited["ts"]) if edited.get("ts") and not tombstone else None,
        deleted_at=_when(message["ts"]) if tombstone else None,
    )
    if author.is_bot:
        for field, value in _bot_display(message).items():
            setattr(row, field, value)
    return row


def _reserve_ids(count: int) -> list[int]:
    """Primary keys for rows about to be inserted, so a reply can name a root of its own batch.

    PostgreSQL hands them out from the table's sequence; SQLite (the embedded default, one writer
    at a time) continues after the highest, as the demo's bulk loader does.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Message._meta.db_table, count],
            )
            return [row[0] for row in cursor.fetchall()]
    highest = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return list(range(highest + 1, highest + 1 + count))


def _write_batch(run: ImportRun, batch: _Batch, roots: dict[str, int]) -> None:
    """Insert one batch under the channel's lock: messages, then threads, mentions, reactions and pins."""
    channel = lock_channel(batch.channel)
    last_us = _micros(channel.last_ts) if channel.last_ts else 0
    touched = set()
    for (row, source), pk in zip(batch.messages, _reserve_ids(len(batch.messages)), strict=True):
        last_us = max(_micros(source["ts"]), last_us + 1)
        channel.last_seq += 1
        row.pk, row.seq, row.ts = pk, channel.last_seq, _ts(last_us)
        thread_ts = source.get("thread_ts")
        if thread_ts and thread_ts != source["ts"] and thread_ts in roots:
            row.thread_root_id = roots[thread_ts]
            touched.add(row.thread_root_id)
        else:
            roots[source["ts"]] = pk
    Message.objects.bulk_create([row for row, _ in batch.messages])
    _recount_threads(channel, touched)
    mentions: list[Mention] = []
    for row, _ in batch.messages:
        if "<" in row.text:
            mentions += mention_rows(row, row.text)
    Mention.objects.bulk_create(mentions)
    _reactions_and_pins(run, batch)
    Channel.objects.filter(pk=channel.pk).update(last_seq=channel.last_seq, last_ts=_ts(last_us))
    channel.last_ts = _ts(last_us)
    source_key = batch.conversation.source_id
    run.record(ImportedKind.MESSAGE, [(f"{source_key}:{source['ts']}", row.pk) for row, source in batch.messages])


def _recount_threads(channel: Channel, root_ids: set[int]) -> None:
    """Bring the roots' reply_count, latest_reply_ts and changed_at_seq up to date, in one statement."""
    if not root_ids:
        return
    replies = Message.objects.filter(thread_root=OuterRef("pk")).order_by().values("thread_root")
    Message.objects.filter(pk__in=root_ids).update(
        reply_count=Coalesce(Subquery(replies.filter(deleted_at__isnull=True).annotate(n=Count("pk")).values("n")), 0),
        latest_reply_ts=Subquery(replies.annotate(latest=Max("ts")).values("latest")),
        changed_at_seq=Subquery(replies.annotate(top=Max("seq")).values("top")),
    )
    stamp_change(channel)


def _reactions_and_pins(run: ImportRun, batch: _Batch) -> None:
    reactions, pins = [], []
    for row, source in batch.messages:
        for reaction in source.get("reactions") or []:
            try:
                emoji = check_emoji_name(str(reaction.get("name") or ""))
            except (DomainError, AttributeError):
                run.report.skip("reactions", "not an emoji name", str(reaction)[:40])
                continue
            for user_id in reaction.get("users") or []:
                if user_id in run.users:
                    reactions.append(
                        Reaction(message=row, user=run.users[user_id], emoji=emoji, created_at=row.created_at)
                    )
        if batch.conversation.source_id in (source.get("pinned_to") or []) and not row.deleted_at:
            pins.append(Pin(message=row, channel=batch.channel, created_at=row.created_at))
    Reaction.objects.bulk_create(reactions, ignore_conflicts=True)
    Pin.objects.bulk_create(pins, ignore_conflicts=True)


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
