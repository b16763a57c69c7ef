"""Message search on PostgreSQL: full text (the stored tsvector and its GIN index), fragments
(ILIKE, served by the pg_trgm GIN index on the text with "_" and "." mapped to a letter), ts_rank and
ts_headline.

Plain words and phrases match by full text, stemmed, or as a part of a longer word ("Kubernetes"
in "kubernetesOperator"); fragments (chat.search.query: CJK text, identifiers, prefixes) match
anywhere in the text. Each term is a condition on one of the two indexes, so PostgreSQL can read
the matches of each from its index and combine them (BitmapAnd, BitmapOr).

The plan trap: "matches, newest first, 20 of them" has two good plans and each is terrible for
the other kind of word. For a rare word, read its few matches from the GIN index and sort them
(walking messages newest first would read nearly the whole table to find 20). For a common
word, walk the (created_at, id) index newest first and stop at the 20th match (reading its
hundreds of thousands of matches from GIN and sorting them is what takes the time). PostgreSQL's
estimates for the text match come from the column's lexeme statistics (and, for ILIKE, its
histogram); with them and the share of messages the searcher may see, choose_plan estimates the
rows each plan reads and forces the cheaper one for this query (SET LOCAL enable_indexscan /
enable_bitmapscan). A query whose every term is too short for either index (a two-character CJK
word, a one- or two-letter prefix) can only walk newest first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TypedDict

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

from chat.models import Message
from chat.search.ordering import Position, after_position, newest_first
from chat.search.query import ParsedQuery
from chat.search.scope import Scope, scoped_messages
from chat.selectors.message_page import load_by_ids

CONFIG = "english"
TSQUERY_SQL = f"websearch_to_tsquery('{CONFIG}'::regconfig, %s)"
VECTOR = '"chat_message"."search_vector"'
TEXT = '"chat_message"."text"'
ILIKE_SQL = f"{TEXT} ILIKE %s"
# pg_trgm takes trigrams from letters and digits only, so "_" and "." would split an identifier
# (`deploy_scr` into `deploy` and `scr`, two common words). The trigram index is on the text with
# them mapped to a letter (chat migration 0014), so its trigrams span them; the text itself is
# matched too, because the mapping also lets `deployqscr` stand for `deploy_scr`.
SPANNED = "_."
SPANNED_AS = "q" * len(SPANNED)
TRIGRAM_TEXT = f"translate({TEXT}, '{SPANNED}', '{SPANNED_AS}')"
FRAGMENT_SQL = f"({TRIGRAM_TEXT} ILIKE %s AND {ILIKE_SQL})"
# How often a fragment occurs, scaled to weigh one occurrence about as ts_rank weighs one word.
OCCURRENCES_SQL = f"(length(lower({TEXT})) - length(replace(lower({TEXT}), lower(%s), ''))) / length(%s) * 0.1"
HEADLINE_SQL = (
    f"ts_headline('{CONFIG}'::regconfig, {TEXT}, {TSQUERY_SQL}, "
    "'StartSel=\ue000, StopSel=\ue001, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"')"
)
# pg_trgm's index finds the matches of a fragment from its trigrams: it needs three characters.
TRIGRAM_MIN_CHARS = 3
# Each other modifier (from:, has:, dates) is assumed to let this share of messages through.
FILTER_SELECTIVITY = 0.2
SCORE_WINDOW = 1000
# What to switch off to force each plan: no plain index scans leaves the GIN bitmap; no bitmaps leaves
# the (created_at, id) index walked newest first (GIN indexes only support bitmap scans).
PLAN_SWITCHES = {"gin": "enable_indexscan", "recent": "enable_bitmapscan"}


@dataclass(frozen=True)
class TextMatch:
    """The text conditions of a query as SQL, and whether an index can find its matches."""

    sql: str
    params: list = field(default_factory=list)
    indexed: bool = False


def like_pattern(term: str) -> str:
    """ILIKE's pattern for `term` anywhere in the text, its %, _ and backslashes taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fragment_params(term: str) -> list[str]:
    """FRAGMENT_SQL's parameters: the pattern on the indexed (mapped) text, then on the text itself."""
    return [like_pattern(term.translate(str.maketrans(SPANNED, SPANNED_AS))), like_pattern(term)]


def _tsquery_terms(terms: list[str]) -> list[str]:
    return [f'"{term}"' if " " in term else term for term in terms]


def _compound_needles(parsed: ParsedQuery) -> list[str]:
    """The words and phrases to look for inside longer words too, when each is long enough for the
    trigram index (a short word would match inside far too many others)."""
    needles = [word for word in parsed.words if word.lower() != "or"] + parsed.phrases
    return needles if all(len(needle) >= TRIGRAM_MIN_CHARS for needle in needles) else []


def text_match(parsed: ParsedQuery) -> TextMatch:
    """All the query's terms: full text (or the words inside longer words), fragments, exclusions."""
    parts, params = [], []
    if parsed.has_full_text:
        full_text, compound = f"{VECTOR} @@ {TSQUERY_SQL}", _compound_needles(parsed)
        if compound:
            full_text = f"({full_text} OR ({' AND '.join([FRAGMENT_SQL] * len(compound))}))"
        parts.append(full_text)
        params.append(" ".join([*parsed.words, *_tsquery_terms(parsed.phrases)]))
        params += [param for needle in compound for param in fragment_params(needle)]
    if parsed.excluded:
        parts.append(f"NOT ({VECTOR} @@ {TSQUERY_SQL})")
        params.append(" or ".join(_tsquery_terms(parsed.excluded)))
    for fragment in parsed.fragments:
        parts.append(FRAGMENT_SQL)
        params += fragment_params(fragment)
    for fragment in parsed.excluded_fragments:
        parts.append(f"NOT ({ILIKE_SQL})")
        params.append(like_pattern(fragment))
    indexed = parsed.has_full_text or any(len(fragment) >= TRIGRAM_MIN_CHARS for fragment in parsed.fragments)
    return TextMatch(" AND ".join(parts) or "TRUE", params, indexed)


def score_sql(parsed: ParsedQuery) -> tuple[str, list]:
    """A message's score: ts_rank for the full-text words, plus how often each fragment occurs."""
    parts, params = [], []
    if parsed.has_full_text:
        parts.append(f"ts_rank({VECTOR}, {TSQUERY_SQL})")
        params.append(" ".join([*parsed.words, *_tsquery_terms(parsed.phrases)]))
    for fragment in parsed.fragments:
        parts.append(OCCURRENCES_SQL)
        params += [fragment, fragment]
    return f"({' + '.join(parts) or '0'})::real", params


@dataclass(frozen=True)
class Plan:
    name: str  # "gin" (matches first, then sort) or "recent" (newest first, stop at the limit) or "planner"
    estimated_matches: float
    estimated_rows_recent: float


def _explain_rows(sql: str, params: list, using: str) -> float:
    with connections[using].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return float(plan[0]["Plan"]["Plan Rows"])


def _table_rows_and_visible(channel_ids: list[int], using: str) -> tuple[float, float]:
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT reltuples FROM pg_class WHERE oid = 'chat_message'::regclass), "
            "(SELECT coalesce(sum(last_seq), 0) FROM chat_channel WHERE id = ANY(%s))",
            [channel_ids],
        )
        total, visible = cursor.fetchone()
    return float(total or 0), float(visible or 0)


def choose_plan(scope: Scope, parsed: ParsedQuery, limit: int, using: str = DEFAULT_DB_ALIAS) -> Plan:
    """Estimate the rows each plan reads and pick the cheaper; leave it to PostgreSQL without statistics.
    Newest first when no index can find the matches (every term too short for one)."""
    match = text_match(parsed)
    if not match.indexed:
        return Plan("recent", 0, 0)
    total, visible = _table_rows_and_visible(scope.channel_ids, using)
    if total <= 0:  # never analysed: no lexeme statistics to go on
        return Plan("planner", 0, 0)
    matches = _explain_rows(f"SELECT 1 FROM chat_message WHERE {match.sql}", match.params, using)
    match_share = max(matches / total, 1e-9)
    other_filters = sum(bool(x) for x in (parsed.people, parsed.has, parsed.is_thread, parsed.before or parsed.after))
    pass_share = match_share * (FILTER_SELECTIVITY**other_filters)
    if not scope.single_channel:
        pass_share *= min(1.0, max(visible / total, 1e-9))
    rows_recent = limit / pass_share
    return Plan("recent" if rows_recent < matches else "gin", matches, rows_recent)


def _forced(plan: Plan, run, using: str = DEFAULT_DB_ALIAS):
    """Run `run()` with the planner steered to `plan`, then give the session its settings back."""
    switches = [name for name in ("jit", PLAN_SWITCHES.get(plan.name)) if name]
    # SET LOCAL ends with the transaction (or savepoint rollback); RESET covers an enclosing transaction.
    # JIT is off too: a recency scan is priced as if it read the whole table, and compiling it would
    # cost far more than running it.
    # A prepared statement's generic plan is made once and kept whatever the switches say later, so this
    # statement is planned on every run (plan_cache_mode).
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        for name in switches:
            cursor.execute(f"SET LOCAL {name} = off")
        result = run()
        for name in (*switches, "plan_cache_mode"):
            cursor.execute(f"RESET {name}")
    return result


def matching(scope: Scope, parsed: ParsedQuery, using: str = DEFAULT_DB_ALIAS) -> QuerySet[Message]:
    messages = scoped_messages(scope).using(using)
    if parsed.has_text or parsed.excluded or parsed.excluded_fragments:
        match = text_match(parsed)
        messages = messages.filter(RawSQL(match.sql, match.params, output_field=BooleanField()))
    return messages


def page_ids(
    scope: Scope,
    parsed: ParsedQuery,
    *,
    sort: str,
    position: Position | None,
    limit: int,
    using: str = DEFAULT_DB_ALIAS,
) -> tuple[list[int], Plan]:
    """Ids of the next page (limit + 1 to tell whether there is more), newest first or by score.

    `using` is the database to read (the replica, when slackclone.db_router picks it)."""
    messages = matching(scope, parsed, using)
    window_size = SCORE_WINDOW if sort == "score" else limit
    plan = choose_plan(scope, parsed, window_size, using) if parsed.has_text else None
    plan = plan or Plan("planner", 0, 0)
    if sort == "score" and parsed.has_text:
        window = newest_first(messages, single_channel=scope.single_channel).values_list("pk", flat=True)
        candidates = _forced(plan, lambda: list(window[:SCORE_WINDOW]), using)
        score, score_params = score_sql(parsed)
        ranked: QuerySet[Message] = (
            Message.objects.using(using)
            .filter(pk__in=candidates)
            .annotate(score=RawSQL(score, score_params, output_field=FloatField()))
        )
        if position is not None and position.score is not None:
            ranked = ranked.filter(
                RawSQL(
                    f'({score}, "chat_message"."created_at", "chat_message"."id") < (%s::real, %s, %s)',
                    [*score_params, position.score, position.created_at, position.pk],
                    output_field=BooleanField(),
                )
            )
        ordered = ranked.order_by("-score", "-created_at", "-pk").values_list("pk", flat=True)
        return list(ordered[: limit + 1]), plan
    if position is not None:
        messages = after_position(messages, position, single_channel=scope.single_channel)
    ordered = newest_first(messages, single_channel=scope.single_channel).values_list("pk", flat=True)
    return _forced(plan, lambda: list(ordered[: limit + 1]), using), plan


class PageAnnotations(TypedDict):
    """What page_rows sets on each row: the score, and ts_headline's snippet ("" when the query
    has fragments, which ts_headline cannot mark; chat.search marks those itself)."""

    snippet: str
    score: float


def page_rows(ids: list[int], parsed: ParsedQuery, using: str) -> dict[int, Message]:
    """The page's messages by id, ready for message_to_wire with their channels, in one statement; with the
    snippet and score (PageAnnotations) as attributes when the query has text (ts_headline is too costly
    to run on every match, so it runs on the page's rows only)."""
    extra_columns, params = "", list[str]()
    if parsed.has_text:
        score, params = score_sql(parsed)
        if parsed.fragments:
            headline, headline_params = "''", []
        else:
            headline, headline_params = HEADLINE_SQL, [" ".join([*parsed.words, *_tsquery_terms(parsed.phrases)])]
        extra_columns, params = f"{headline}, {score}", [*headline_params, *params]
    rows: dict[int, Message] = {}
    for message, extra in load_by_ids(ids, using=using, extra_columns=extra_columns, extra_params=params):
        if parsed.has_text:
            message.snippet, message.score = extra  # type: ignore[attr-defined]
        rows[message.pk] = message
    return rows
