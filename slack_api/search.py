"""search.messages (user tokens only, as on Slack)."""

from __future__ import annotations

from typing import Any

from chat.links import message_permalink
from chat.search import SEARCH_MAX_LIMIT, cursor_position, search_messages
from chat.wire import message_to_wire
from slack_api.core import Context, SlackError, method
from slackclone.api.pagination import encode_cursor
from slackclone.errors import DomainError


@method("search.messages", user_token_only=True)
def messages(ctx: Context) -> dict:
    """Newest first (sort=timestamp, the default) or by relevance (sort=score); `count` (or `limit`) per page,
    cursor pages through response_metadata.next_cursor (Slack's cursor="*" starts at the first page)."""
    query = ctx.args.str("query")
    if not query:
        raise SlackError("no_query")
    sort = "score" if ctx.args.str("sort") == "score" else "timestamp"
    count = ctx.args.int("count") or ctx.args.int("limit", error="invalid_limit") or 20
    if count < 1:
        raise SlackError("invalid_limit")
    count = min(count, SEARCH_MAX_LIMIT)
    results = search_messages(
        user=ctx.user,
        workspace=ctx.workspace,
        membership=ctx.membership,
        q=query,
        sort=sort,
        position=_position(ctx, sort),
        limit=count,
    )
    cursor = ""
    if results.has_more and results.matches:
        last = results.matches[-1]
        parts = [last.message.channel.public_id, last.message.ts]
        if sort == "score":
            parts.append(repr(last.score))
        cursor = encode_cursor(*parts)
    matches = [_match_to_wire(ctx, match) for match in results.matches]
    return {
        "query": query,
        "messages": {
            "total": len(matches),
            "matches": matches,
            "pagination": {"per_page": count},
        },
        "response_metadata": {"next_cursor": cursor},
    }


def _position(ctx: Context, sort: str):
    """Where the page starts: nothing for the first page (no cursor, or Slack's "*"), else the cursor's place."""
    parts = None if ctx.args.str("cursor") == "*" else ctx.args.cursor(3 if sort == "score" else 2)
    if parts is None:
        return None
    try:
        return cursor_position(
            user=ctx.user,
            workspace=ctx.workspace,
            is_guest=ctx.membership.is_guest,
            channel_public_id=parts[0],
            ts=parts[1],
            score=float(parts[2]) if sort == "score" else None,
        )
    except (DomainError, ValueError):
        raise SlackError("invalid_cursor") from None


def _match_to_wire(ctx: Context, match) -> dict:
    """A search match as Slack shows it: the message, its channel in brief, permalink, snippet and score."""
    message = match.message
    message.channel.workspace = ctx.workspace  # for the permalink, without a query per match
    wire: dict[str, Any] = dict(message_to_wire(message))
    wire["channel"] = {
        "id": message.channel.public_id,
        "name": message.channel.name or "",
        "is_private": message.channel.is_private,
    }
    wire["permalink"] = message_permalink(message)
    wire["snippet"] = match.snippet
    wire["score"] = match.score
    return wire
