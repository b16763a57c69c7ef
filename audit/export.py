"""Exporting what an owner sees of the audit log, as CSV or JSON lines, a chunk at a time.

The export holds exactly the rows the page shows for the same filters (audit.selectors), read a page of 500 at
a time as they are sent, so a year of events never sits in memory, and it is itself recorded (EXPORT_RUN): a
copy of the log left the server, and who took it matters.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from enum import StrEnum

from django.db import transaction

from accounts.models import User
from audit.models import AuditAction, AuditEvent
from audit.selectors import AuditFilters, workspace_audit_events
from audit.services import audit_record
from audit.wire import CSV_COLUMNS, event_to_row, event_to_wire
from workspaces.models import Workspace

# A cell a spreadsheet would run as a formula starts with one of these; such cells get a leading apostrophe
# (OWASP's advice for CSV injection), since labels and user agents are typed by people.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


CONTENT_TYPES = {ExportFormat.CSV: "text/csv; charset=utf-8", ExportFormat.JSONL: "application/x-ndjson"}


def _safe_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_lines(events: Iterator[AuditEvent]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for event in events:
        writer.writerow([_safe_cell(cell) for cell in event_to_row(event)])
        if buffer.tell() >= 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _jsonl_lines(events: Iterator[AuditEvent]) -> Iterator[str]:
    for event in events:
        yield json.dumps(event_to_wire(event), ensure_ascii=False, separators=(",", ":")) + "\n"


def audit_log_export(
    *, actor: User | None, workspace: Workspace, filters: AuditFilters, fmt: ExportFormat
) -> Iterator[str]:
    """The owner's view of the log under `filters`, as text chunks of CSV (a header row first) or JSON lines.

    Callers: the audit page's export links, for the signed-in owner; the operator (None).
    Raises (before anything is produced): workspace_not_found, account_inactive, restricted_action.
    Events: audit EXPORT_RUN, committed before the first row is read.
    """
    events = workspace_audit_events(actor=actor, workspace=workspace, filters=filters)
    with transaction.atomic():
        audit_record(
            action=AuditAction.EXPORT_RUN,
            actor=actor,
            workspace=workspace,
            target=workspace,
            target_label=workspace.name,
            data={"what": "audit_log", "format": fmt.value, "filters": filters.as_dict()},
        )
    rows = iter(events)
    return _csv_lines(rows) if fmt is ExportFormat.CSV else _jsonl_lines(rows)
