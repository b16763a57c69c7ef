"""Message search, limited to what the searcher may read (chat.permissions' rules, in bulk).

PostgreSQL: full-text search on a stored tsvector with a GIN index for words, ILIKE served by a
pg_trgm index for fragments (CJK text, identifiers, prefixes, words inside longer words), ranked by
ts_rank, with ts_headline snippets, and a plan chosen per query by how common its terms are
(chat.search.postgres). Anything else (the embedded SQLite default): substring matching with the
same API (chat.search.fallback).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, cast

from django.db import DEFAULT_DB_ALIAS, connection
from django.utils import timezone

from chat.models import Message
from chat.search import fallback, postgres
from chat.search.ordering import Position, cursor_position
from chat.search.query import ParsedQuery, parse_query
from chat.search.scope import build_scope
from chat.selectors import messages_for_wire
from slackclone.db_router import read_for

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from accounts.models import User
    from workspaces.models import Membership, Workspace

SEARCH_MAX_LIMIT = 100


@dataclass(frozen=True)
class SearchMatch:
    message: Message
    snippet: str
    score: float


@dataclass(frozen=True)
class SearchResults:
    matches: list[SearchMatch]
    has_more: bool
    plan: str


def _today(user: User) -> date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(user.timezone or "UTC")).date()


def search_messages(
    *,
    user: User,
    workspace: Workspace,
    membership: Membership,
    q: str,
    sort: str = "timestamp",
    position: Position | None = None,
    limit: int = 20,
    typing: bool = False,
) -> SearchResults:
    """Messages matching `q` that the user may read in this workspace, newest first (or by score).

    Raises invalid_arguments for a search that cannot mean anything (bad date, unknown has:).
    `position` (from cursor_position) continues after the last match of the previous page.
    `typing`: the last word is still being typed, so it matches as a prefix.
    The matching runs on the replica when one is usable for the user (slackclone.db_router).
    """
    parsed = parse_query(q, today=_today(user), typing=typing)
    scope = build_scope(user=user, workspace=workspace, membership=membership, parsed=parsed)
    if not scope.channel_ids:
        return SearchResults([], False, "empty")
    on_postgres = connection.vendor == "postgresql"
    if on_postgres:
        # The matching and the page's rows, on the replica when one is usable for this reader.
        ids, plan_name, by_pk = read_for(
            user, lambda using: _postgres_page(scope, parsed, sort, position, limit, using)
        )
    else:
        ids, plan_name = fallback.page_ids(scope, parsed, sort=sort, position=position, limit=limit), "substring"
        by_pk = _rows(ids[:limit], parsed, on_postgres=False, using=DEFAULT_DB_ALIAS)
    has_more = len(ids) > limit
    ids = ids[:limit]
    matches = [_match(by_pk[pk], parsed, on_postgres) for pk in ids if pk in by_pk]
    if sort == "score" and not on_postgres:
        matches.sort(key=lambda match: (-match.score, -match.message.created_at.timestamp(), -match.message.pk))
    return SearchResults(matches, has_more, plan_name)


def _postgres_page(
    scope, parsed: ParsedQuery, sort: str, position: Position | None, limit: int, using: str
) -> tuple[list[int], str, dict[int, Message]]:
    ids, plan = postgres.page_ids(scope, parsed, sort=sort, position=position, limit=limit, using=using)
    return ids, plan.name, _rows(ids[:limit], parsed, on_postgres=True, using=using)


def _rows(ids: list[int], parsed: ParsedQuery, *, on_postgres: bool, using: str) -> dict[int, Message]:
    if on_postgres:
        return postgres.page_rows(ids, parsed, using)
    rows = messages_for_wire().using(using).select_related("channel__created_by").filter(pk__in=ids)
    return {message.pk: message for message in rows}


def _match(message: Message, parsed: ParsedQuery, on_postgres: bool) -> SearchMatch:
    if on_postgres and parsed.has_text:
        scored = cast("WithAnnotations[Message, postgres.PageAnnotations]", message)  # _rows annotated it
        # ts_headline marks words, not fragments nor words found inside longer words: mark those here.
        marked = scored.snippet if fallback.START in scored.snippet else fallback.snippet(message.text, parsed)
        return SearchMatch(message, marked, float(scored.score))
    return SearchMatch(message, fallback.snippet(message.text, parsed), fallback.score(message.text, parsed))


__all__ = ["Position", "SearchMatch", "SearchResults", "cursor_position", "parse_query", "search_messages"]
