"""Secrets never reach a log line: API tokens, one-time tickets, and the secrets some URLs carry.

The Slack Web API accepts `token` in a query string, as Slack does, and access logs record request lines in
full; links in emails carry invitation, password-reset and unsubscribe tokens in their paths; webhook and
upload URLs are secrets themselves. `redact` replaces each of these with REDACTED. It is installed as a logging
filter on every handler the project's processes log through:

* settings.LOGGING's console handler, which Django's own loggers (django.request names the path of every
  4xx and 5xx) and Uvicorn's (uvicorn.access, uvicorn.error) are routed to when Django starts;
* Celery's handlers, when Celery sets up its logging (slackclone/celery.py);
* Daphne's access log, which Daphne writes itself rather than through logging (slackclone/daphne_server.py).

Each pattern is a fixed prefix then one run of a character class, so redaction is linear in the line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"
_SEGMENT = r"[^/?#&\s\"'<>]+"
# Slack-shaped tokens wherever they appear: xoxb-, xoxp- (ours), xoxa-, xoxe-, xoxr-, xoxs-, and app tokens.
TOKEN_RE = re.compile(r"\b(xox[a-z]|xapp)-[A-Za-z0-9-]+")
# ?token=… and ?ticket=… (rtm.connect's one-time socket ticket) in a query string, also percent-encoded inside
# another parameter (the sign-in page's ?next=/ws/%3Fticket%3D…).
QUERY_SECRET_RE = re.compile(r"((?:[?&;]|%3F|%26)(?:token|ticket)(?:=|%3D))[^&;#\s\"'<>]*", re.IGNORECASE)
# The path segment after these is a secret: an invitation token (/invite/…, the REST API's and the admin's
# /invitations/…), an unsubscribe token, an upload URL's secret, an email-verification link (/accounts/verify/…),
# a slash command's response_url (/api/commands/respond/…).
PATH_SECRET_RE = re.compile(rf"(/(?:invite|invitations|unsubscribe|upload|verify|respond)/){_SEGMENT}")
# A password-reset link: /accounts/password/reset/<uid>/<token>/.
RESET_PATH_RE = re.compile(rf"(/password/reset/){_SEGMENT}/{_SEGMENT}")
# An incoming webhook: /hooks/T…/B…/<secret>.
WEBHOOK_PATH_RE = re.compile(rf"(/hooks/{_SEGMENT}/{_SEGMENT}/){_SEGMENT}")
_RULES = (
    (TOKEN_RE, rf"\1-{REDACTED}"),
    (QUERY_SECRET_RE, rf"\1{REDACTED}"),
    (PATH_SECRET_RE, rf"\1{REDACTED}"),
    (RESET_PATH_RE, rf"\1{REDACTED}/{REDACTED}"),
    (WEBHOOK_PATH_RE, rf"\1{REDACTED}"),
)


def redact(text: str) -> str:
    """`text` with every secret above replaced by REDACTED."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def _redact_arg(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactSecrets(logging.Filter):
    """A logging filter that redacts a record's message, its arguments and its traceback, and keeps the record.

    The arguments are redacted one by one rather than merged into the message, so formatters that read them
    (Uvicorn's access formatter) still work."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {key: _redact_arg(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redact_arg(value) for value in record.args)
        if record.args:
            self._redact_formatted(record)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True

    @staticmethod
    def _redact_formatted(record: logging.LogRecord) -> None:
        """An argument that is not a string (a dict of message headers, a request) may still print a secret:
        then the message is formatted here, redacted, and kept without its arguments."""
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the handler's to report, as logging does
            return
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None


def redact_handlers(logger: logging.Logger) -> None:
    """Add RedactSecrets to each of `logger`'s handlers that lacks it (for loggers configured outside
    settings.LOGGING, such as Celery's)."""
    for handler in logger.handlers:
        if not any(isinstance(existing, RedactSecrets) for existing in handler.filters):
            handler.addFilter(RedactSecrets())
