"""A window of a channel's messages (or a search page's messages by id, across channels), loaded for
chat.wire in one SQL statement on PostgreSQL.

History is the most frequent read there is: every channel a client opens, every scroll back. Through
the ORM (messages_for_wire: four joins, then reactions and files prefetched) a page took three
queries, and Python spent far longer building queries and model instances than PostgreSQL spent
running them (docs/performance.md, API). Here one statement, written once, returns each message with
the few author columns chat.wire reads, its reactions already grouped as chat.wire shows them, and
whether it has files. Thread roots (for replies) and files, which few messages of a page have, are
fetched only when some do. The instances are ordinary Messages, so message_to_wire builds the same
shapes as from the ORM (a test compares both).
SQLite, the embedded default, takes the ORM path.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

from django.db import connections

from accounts.models import User
from chat.models import Attachment, Channel, Message, Reaction
from chat.wire import GROUPED_REACTIONS, PREFETCHED_ATTACHMENTS
from slackclone.json_types import JSONArray
from slackclone.rawsql import Columns, split_row

# What chat.wire reads of an author and of a thread's root and its author; everything else stays deferred.
_MESSAGE = Columns(Message, "m")
_AUTHOR = Columns(
    User, "a", only=("id", "public_id", "is_bot", "display_name", "full_name", "email", "avatar", "is_active")
)
_MESSAGE_BY_NAME = Columns(Message, f'"{Message._meta.db_table}"')
_CHANNEL = Columns(Channel, "c")
_CHANNEL_CREATOR = Columns(User, "cu", only=("id", "public_id"))
_ROOT = Columns(Message, "r", only=("id", "ts", "author"))
_ROOT_AUTHOR = Columns(User, "ra", only=("id", "public_id"))
_CHANNEL_RELATION = Message._meta.get_field("channel")
_AUTHOR_RELATION = Message._meta.get_field("author")
_CREATOR_RELATION = Channel._meta.get_field("created_by")


@cache
def window_sql(
    *, newest_first: bool, include_replies: bool, above: bool, below: bool, at_ts: bool = False, thread: bool = False
) -> str:
    """One statement per shape of window: bounds that are absent are left out, not switched off.
    `at_ts`: the one message with a given ts (message_ts_unique serves it); `thread`: one thread's replies."""
    return f"""
        SELECT {_MESSAGE.sql}, {_AUTHOR.sql}, {_reactions_and_files_sql("m")}
        FROM {Message._meta.db_table} m
        JOIN {User._meta.db_table} a ON a.id = m.author_id
        WHERE m.channel_id = %(channel)s
          {"" if include_replies else "AND (m.thread_root_id IS NULL OR m.reply_broadcast)"}
          {"AND m.seq > %(above)s" if above else ""}
          {"AND m.seq < %(below)s" if below else ""}
          {"AND m.ts = %(ts)s" if at_ts else ""}
          {"AND m.thread_root_id = %(root)s" if thread else ""}
        ORDER BY m.seq {"DESC" if newest_first else "ASC"}
        LIMIT %(limit)s
    """


def _reactions_and_files_sql(message: str) -> str:
    """Two columns for the message aliased `message`: its reactions already in chat.wire's shape (grouped by
    emoji in the order each was first used, each group's reactors in the order they reacted) and whether it
    has files. PostgreSQL groups them where the rows are: a page's reactions no longer become model
    instances only to be grouped again in Python."""
    user, reaction, attachment = User._meta.db_table, Reaction._meta.db_table, Attachment._meta.db_table
    return f"""
        (SELECT json_agg(json_build_object('name', g.emoji, 'users', g.users, 'count', g.count)
                         ORDER BY g.first_at, g.first_id)
         FROM (SELECT x.emoji, json_agg(xu.public_id ORDER BY x.created_at, x.id) AS users, count(*) AS count,
                      min(x.created_at) AS first_at, (array_agg(x.id ORDER BY x.created_at, x.id))[1] AS first_id
               FROM {reaction} x JOIN {user} xu ON xu.id = x.user_id
               WHERE x.message_id = {message}.id GROUP BY x.emoji) g),
        EXISTS (SELECT 1 FROM {attachment} f WHERE f.message_id = {message}.id)
    """


@lru_cache(maxsize=64)  # one per shape of search (its fragments' count)
def _by_ids_sql(extra_columns: str) -> str:
    """Messages by id across channels, each with its channel and the channel's creator, then `extra_columns`.
    The message table keeps its own name as its alias, so expressions written against it (search's
    score and snippet) apply unchanged."""
    message, user, channel = Message._meta.db_table, User._meta.db_table, Channel._meta.db_table
    return f"""
        SELECT {_MESSAGE_BY_NAME.sql}, {_AUTHOR.sql}, {_reactions_and_files_sql(f'"{message}"')},
            {_CHANNEL.sql}, {_CHANNEL_CREATOR.sql}{", " + extra_columns if extra_columns else ""}
        FROM {message} JOIN {user} a ON a.id = "{message}".author_id
        JOIN {channel} c ON c.id = "{message}".channel_id
        LEFT JOIN {user} cu ON cu.id = c.created_by_id
        WHERE "{message}".id = ANY(%s)
    """


@cache
def _roots_sql() -> str:
    return f"""
        SELECT {_ROOT.sql}, {_ROOT_AUTHOR.sql}
        FROM {Message._meta.db_table} r JOIN {User._meta.db_table} ra ON ra.id = r.author_id
        WHERE r.id = ANY(%s)
    """


def uses_single_statement(using: str) -> bool:
    return connections[using].vendor == "postgresql"


def load_window(
    channel: Channel,
    *,
    using: str,
    above: int | None,
    below: int | None,
    newest_first: bool,
    limit: int,
    include_replies: bool,
    ts: str | None = None,
    thread_root: Message | None = None,
) -> list[Message]:
    """Messages with above < seq < below (either bound optional), or the one with `ts`, or only the replies to
    `thread_root` (a message of the channel, its author loaded), ready for message_to_wire.

    PostgreSQL only (uses_single_statement); the caller has checked that the reader may see the channel.
    """
    sql = window_sql(
        newest_first=newest_first,
        include_replies=include_replies or thread_root is not None,
        above=above is not None,
        below=below is not None,
        at_ts=ts is not None,
        thread=thread_root is not None,
    )
    root_pk = thread_root.pk if thread_root is not None else None
    params = {"channel": channel.pk, "above": above, "below": below, "limit": limit, "ts": ts, "root": root_pk}
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    known_roots = {thread_root.pk: thread_root} if thread_root is not None else {}
    built = _messages_from_rows(rows, _MESSAGE, using, known_roots=known_roots)
    for message, _ in built:
        # Straight into the relation's cache: the ids already match, so the descriptor's checks are moot.
        _CHANNEL_RELATION.set_cached_value(message, channel)
    return [message for message, _ in built]


def load_by_ids(
    ids: list[int], *, using: str, extra_columns: str = "", extra_params: Sequence[Any] = ()
) -> list[tuple[Message, Sequence[Any]]]:
    """The messages with these ids, in any channels, each ready for message_to_wire with its channel (and
    its creator) attached, and the values of `extra_columns` (SQL on the table "chat_message", whose
    placeholders `extra_params` fill). In no particular order; ids that do not exist are left out.

    PostgreSQL only (uses_single_statement); the caller has checked that the reader may see every one.
    """
    with connections[using].cursor() as cursor:
        cursor.execute(_by_ids_sql(extra_columns), [*extra_params, ids])
        rows = cursor.fetchall()
    channels: dict[int, Channel] = {}
    loaded: list[tuple[Message, Sequence[Any]]] = []
    for message, rest in _messages_from_rows(rows, _MESSAGE_BY_NAME, using):
        channel = channels.get(message.channel_id)
        if channel is None:
            channel, creator = split_row(rest, _CHANNEL, _CHANNEL_CREATOR, using=using)
            _CREATOR_RELATION.set_cached_value(channel, creator)
            channels[message.channel_id] = channel
        _CHANNEL_RELATION.set_cached_value(message, channel)
        loaded.append((message, rest[len(_CHANNEL.fields) + len(_CHANNEL_CREATOR.fields) :]))
    return loaded


def _messages_from_rows(
    rows: list[tuple[Any, ...]], columns: Columns[Message], using: str, *, known_roots: dict[int, Message] | None = None
) -> list[tuple[Message, Sequence[Any]]]:
    """Each row's message with its author, reactions, files and thread root attached (the row starts with
    `columns`, the author's and the reactions-and-files columns), and the rest of the row. Thread roots in
    `known_roots` (with their authors) are attached as they are, not read again."""
    built: list[tuple[Message, Sequence[Any]]] = []
    with_files: list[Message] = []
    authors: dict[int, User] = {}
    message_end = len(columns.fields)
    author_end = message_end + len(_AUTHOR.fields)
    for row in rows:
        message = columns.instance(row[:message_end], using=using)
        # A page has a handful of authors: each is built once and shared by their messages.
        author = authors.get(message.author_id)
        if author is None:
            author = authors[message.author_id] = _AUTHOR.instance(row[message_end:author_end], using=using)
        _AUTHOR_RELATION.set_cached_value(message, author)
        reactions, has_files = row[author_end : author_end + 2]
        setattr(message, GROUPED_REACTIONS, _grouped_reactions(reactions))
        setattr(message, PREFETCHED_ATTACHMENTS, [])
        if has_files:
            with_files.append(message)
        built.append((message, row[author_end + 2 :]))
    messages = [message for message, _ in built]
    known_roots = known_roots or {}
    replies = []
    for message in messages:
        if message.thread_root_id in known_roots:
            message.thread_root = known_roots[message.thread_root_id]
        elif message.thread_root_id:
            replies.append((message, message.thread_root_id))
    _attach_thread_roots(replies, using)
    _attach_files(with_files, using)
    return built


def _grouped_reactions(encoded: str | JSONArray | None) -> JSONArray:
    if not encoded:
        return []
    return json.loads(encoded) if isinstance(encoded, str) else encoded


def _attach_thread_roots(replies: list[tuple[Message, int]], using: str) -> None:
    """The thread root (its ts and author) that chat.wire shows on a reply, for the few replies a page has
    (each with its thread_root_id)."""
    if not replies:
        return
    with connections[using].cursor() as cursor:
        cursor.execute(_roots_sql(), [list({root_id for _, root_id in replies})])
        rows = cursor.fetchall()
    roots: dict[int, Message] = {}
    for row in rows:
        root, root_author = split_row(row, _ROOT, _ROOT_AUTHOR, using=using)
        root.author = root_author
        roots[root.pk] = root
    for reply, root_id in replies:
        reply.thread_root = roots[root_id]


def _attach_files(messages: list[Message], using: str) -> None:
    """Files, fetched only for the messages the page says have some."""
    if not messages:
        return
    # Keyed as Attachment.message_id is typed (nullable: a file not yet posted); the query returns posted ones.
    by_id: dict[int | None, Message] = {message.pk: message for message in messages}
    for attachment in Attachment.objects.using(using).filter(message_id__in=by_id):
        getattr(by_id[attachment.message_id], PREFETCHED_ATTACHMENTS).append(attachment)
