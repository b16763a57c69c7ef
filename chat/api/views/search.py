"""Search: the messages I may read that match, newest first (or by score), with highlighted snippets."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from chat.api import serializers as s
from chat.api.output import channel_out
from chat.search import cursor_position, search_messages
from chat.wire import message_to_wire
from slackclone.api.pagination import decode_cursor, encode_cursor
from slackclone.api.schema import errors
from slackclone.api.views import ApiView, page_link, validated
from slackclone.errors import DomainError, ErrorCode
from workspaces.api.context import request_workspace


def _position(request, workspace, membership, raw: str, sort: str):
    """The place a cursor names, among the messages the reader may read; every invalid cursor answers the same."""
    score = None
    if sort == "score":
        channel_id, ts, raw_score = decode_cursor(raw, 3)
        try:
            score = float(raw_score)
        except ValueError:
            raise DomainError(
                ErrorCode.INVALID_ARGUMENTS, "That cursor is not valid.", fields={"cursor": "invalid"}
            ) from None
    else:
        channel_id, ts = decode_cursor(raw, 2)
    return cursor_position(
        user=request.user,
        workspace=workspace,
        is_guest=membership.is_guest,
        channel_public_id=channel_id,
        ts=ts,
        score=score,
    )


class SearchView(ApiView):
    @extend_schema(
        tags=["search"],
        operation_id="search_messages",
        summary="Search the messages you may read",
        description='Words (stemmed: "deploys" finds "deploy"; also found inside longer words), "quoted phrases", '
        "-excluded words, fragments found anywhere in the text (Chinese, Japanese and Korean text of two characters "
        "or more, identifiers such as deploy_script or kubeConfig, prefixes such as deplo*) and Slack's "
        "modifiers: in:#channel, in:@person, from:@person, from:me, before:, after:, on: (YYYY-MM-DD, today, "
        "yesterday), has:link, has:file, has:reaction, has:pin, is:thread. Private channels and DMs are "
        "searched only by their members; guests search only their own channels.",
        parameters=[s.SearchQuerySerializer],
        responses={200: s.SearchResultSerializer, **errors()},
    )
    def get(self, request, workspace_id: str):
        workspace, membership = request_workspace(request, workspace_id)
        query = validated(s.SearchQuerySerializer, request.query_params)
        sort, limit = query["sort"], query["limit"]
        position = _position(request, workspace, membership, query["cursor"], sort) if "cursor" in query else None
        results = search_messages(
            user=request.user,
            workspace=workspace,
            membership=membership,
            q=query["q"],
            sort=sort,
            position=position,
            limit=limit,
            typing=query["prefix"],
        )
        next_link = None
        if results.has_more and results.matches:
            last = results.matches[-1]
            parts = [last.message.channel.public_id, last.message.ts]
            if sort == "score":
                parts.append(repr(last.score))
            cursor = encode_cursor(*parts)
            typing = "true" if query["prefix"] else None
            next_link = page_link(request, q=query["q"], sort=sort, limit=limit, prefix=typing, cursor=cursor)
        matches = [
            {
                "message": message_to_wire(match.message),
                "channel": channel_out(match.message.channel),
                "snippet": match.snippet,
                "score": match.score,
            }
            for match in results.matches
        ]
        return Response({"query": query["q"], "matches": matches, "next": next_link})
