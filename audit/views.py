"""The audit log's admin page at /<slug>/admin/audit/ (owners only): the events, filtered, a page at a time,
their export as CSV or JSON lines, and how long they are kept."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.db import connections
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from accounts.http import AuthenticatedHttpRequest
from audit.cursors import cursor_to_position, position_to_cursor
from audit.export import CONTENT_TYPES, ExportFormat, audit_log_export
from audit.forms import AuditFilterForm, AuditRetentionForm
from audit.models import AuditEvent
from audit.selectors import AuditPosition, audit_page, workspace_audit_events
from slackclone.errors import DomainError
from slackclone.web import submit_form
from workspaces.services import workspace_set_audit_retention
from workspaces.views.common import owner_workspace, raise_as_http

PAGE_SIZE = 50
FILTER_FIELDS = ("action", "actor", "since", "until")


class ChunkedStreamingResponse(StreamingHttpResponse):
    """Streams a synchronous iterator under ASGI a chunk at a time: Django's own response would read all of it
    into memory first. Every chunk is read in the one thread the server gives the streaming response
    (thread-sensitive), so the export's database cursor stays on one connection, closed at the end."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks: Iterator[bytes] = iter(self.streaming_content)  # type: ignore[arg-type]
        step = sync_to_async(_next_chunk, thread_sensitive=True)
        try:
            while (chunk := await step(chunks)) is not None:
                yield chunk
        finally:
            await sync_to_async(_close_thread_connections, thread_sensitive=True)()


def _next_chunk(chunks: Iterator[bytes]) -> bytes | None:
    return next(chunks, None)


def _close_thread_connections() -> None:
    """The streaming thread's own connections (not the request thread's): nothing else would return them."""
    for connection in connections.all(initialized_only=True):
        connection.close()


def _filter_query(form: AuditFilterForm) -> str:
    values = {name: form.data.get(name, "") for name in FILTER_FIELDS}
    return urlencode({name: value for name, value in values.items() if value})


def _page_context(request: AuthenticatedHttpRequest, workspace, form: AuditFilterForm) -> dict:
    rows: list[AuditEvent] = []
    next_position: AuditPosition | None = None
    if form.is_valid():
        events = workspace_audit_events(actor=request.user, workspace=workspace, filters=form.filters())
        after = request.GET.get("after")
        try:
            position = cursor_to_position(after) if after else None
        except DomainError:
            position = None
        rows, next_position = audit_page(events, after=position, limit=PAGE_SIZE)
    query = _filter_query(form)
    next_query = urlencode({"after": position_to_cursor(next_position)}) if next_position else ""
    return {
        "workspace": workspace,
        "section": "audit",
        "form": form,
        "rows": rows,
        "filter_query": query,
        "next_query": "&".join(part for part in (query, next_query) if part) if next_position else "",
        "retention_form": AuditRetentionForm(initial={"audit_retention_days": workspace.audit_retention_days}),
        "time_zone": timezone.get_current_timezone_name(),
    }


@login_required
@require_safe
def audit_log(request: AuthenticatedHttpRequest, workspace_slug: str) -> HttpResponse:
    workspace, _ = owner_workspace(request, workspace_slug)
    form = AuditFilterForm(request.GET)
    context = _page_context(request, workspace, form)
    return render(request, "audit/log.html", context, status=200 if form.is_valid() else 400)


@login_required
@require_safe
def audit_export(request: AuthenticatedHttpRequest, workspace_slug: str, fmt: str) -> HttpResponseBase:
    """The filtered events as a download: `csv` or `jsonl` (newest first, every page)."""
    workspace, _ = owner_workspace(request, workspace_slug)
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "audit/log.html", _page_context(request, workspace, form), status=400)
    export_format = ExportFormat(fmt)
    try:
        chunks = audit_log_export(actor=request.user, workspace=workspace, filters=form.filters(), fmt=export_format)
    except DomainError as error:
        raise_as_http(error)
    response = ChunkedStreamingResponse(chunks, content_type=CONTENT_TYPES[export_format])
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-{workspace.slug}-{stamp}.{export_format.value}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def audit_retention(request: AuthenticatedHttpRequest, workspace_slug: str) -> HttpResponse:
    workspace, _ = owner_workspace(request, workspace_slug)
    form = AuditRetentionForm(request.POST)
    done = submit_form(
        request,
        form,
        lambda data: workspace_set_audit_retention(
            actor=request.user, workspace=workspace, days=data["audit_retention_days"]
        ),
        success=gettext("The audit log retention has been saved."),
        redirect_to=reverse("workspaces:admin-audit", args=[workspace.slug]),
    )
    if done:
        return done
    workspace.refresh_from_db()
    context = _page_context(request, workspace, AuditFilterForm({}))
    context["retention_form"] = form
    return render(request, "audit/log.html", context, status=400)
