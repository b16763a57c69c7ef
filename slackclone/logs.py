"""Structured logs (LOG_FORMAT=json) and the request id that follows a piece of work across processes.

The request id is set in a context variable for each HTTP request (slackclone.metrics.http): taken from
X-Request-ID when a proxy in front is trusted to set it (settings.REQUEST_ID_FROM_PROXY; nginx replaces
whatever the client sent with its own $request_id), else generated. Publishing a Celery task copies it into
the task's headers and the task sets it again while it runs (slackclone.metrics.celery), so a message's
post, its notification and its app deliveries all log the same id. RequestIdFilter puts it on every record;
JsonFormatter writes one JSON object per line, after the handler's RedactSecrets filter has run.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime
from typing import Any

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
# What a proxy's id may look like: nginx's $request_id is 32 hex digits; others use UUIDs.
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._:-]{8,64}")
# Fields a log call passes in `extra={"fields": {...}}`, written as top-level keys of the JSON line.
FIELDS_ATTRIBUTE = "fields"


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_request_id(header: str | None) -> str:
    """The proxy's id when it is well-formed, else a new one (a malformed header is never logged)."""
    if header and REQUEST_ID_RE.fullmatch(header):
        return header
    return new_request_id()


def current_request_id() -> str | None:
    return REQUEST_ID.get()


class RequestIdFilter(logging.Filter):
    """Puts the current request id (or None) on every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, the record's `fields`, and the
    traceback as text. The message is formatted from the (already redacted) record, never re-read."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get(),
        }
        fields = getattr(record, FIELDS_ATTRIBUTE, None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, default=str, ensure_ascii=False)


def use_json_format(logger: logging.Logger) -> None:
    """Give each of `logger`'s handlers the JSON formatter and the request-id filter (for Celery's handlers,
    which Celery sets up outside settings.LOGGING)."""
    for handler in logger.handlers:
        handler.setFormatter(JsonFormatter())
        if not any(isinstance(existing, RequestIdFilter) for existing in handler.filters):
            handler.addFilter(RequestIdFilter())
