"""The audit log for owners: GET /api/v1/workspaces/<T>/audit-log, filtered, newest first, by cursor."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from audit.api import serializers as s
from audit.cursors import cursor_to_position, position_to_cursor
from audit.selectors import AuditFilters, audit_page, workspace_audit_events
from audit.wire import event_to_wire
from slackclone.api.schema import errors
from slackclone.api.views import ApiView, page_link, validated
from workspaces.api.context import request_workspace

TAG = ["audit"]


class AuditLogView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="audit_log_list",
        summary="The workspace's audit log, and its members' account events (owners only)",
        parameters=[s.AuditQuerySerializer],
        responses={200: s.AuditPageSerializer, **errors()},
    )
    def get(self, request, workspace_id: str):
        workspace, _ = request_workspace(request, workspace_id)
        query = validated(s.AuditQuerySerializer, request.query_params)
        filters = AuditFilters(
            action=query.get("action", ""),
            actor_email=query.get("actor", ""),
            since=query.get("since"),
            until=query.get("until"),
        )
        events = workspace_audit_events(actor=request.user, workspace=workspace, filters=filters)
        after = cursor_to_position(query["cursor"]) if "cursor" in query else None
        rows, next_position = audit_page(events, after=after, limit=query["limit"])
        next_link = None
        if next_position is not None:
            given = {name: request.query_params.get(name) for name in ("action", "actor", "since", "until")}
            next_link = page_link(request, **given, cursor=position_to_cursor(next_position), limit=query["limit"])
        return Response({"events": [event_to_wire(event) for event in rows], "next": next_link})
