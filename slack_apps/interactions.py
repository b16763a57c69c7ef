"""Sending an interaction to an app and waiting for its ack, as Slack does: block_actions, view_submission,
view_closed, shortcut and message_action payloads.

Over HTTP the payload is POSTed form-encoded as `payload=<JSON>`, signed, to the app's interactivity URL;
over Socket Mode it is an `interactive` envelope on one of the app's sockets. Either way the app has
TIMEOUT_SECONDS to answer, and its answer (the HTTP body, or the ack's `payload`) is returned for the
caller to act on: a view_submission's `response_action`, for one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.utils import timezone

from slack_apps import socket_commands
from slack_apps.delivery import TIMEOUT_SECONDS, signed_headers
from slackclone import jsonlimits, outgoing

if TYPE_CHECKING:
    from slack_apps.models import App

ANSWER_MAX_BYTES = 256 * 1024
ACK_SECONDS = TIMEOUT_SECONDS


@dataclass(frozen=True)
class Answer:
    """Whether the app acknowledged in time, and the JSON object it answered with (None: empty or not JSON)."""

    acked: bool
    body: dict[str, Any] | None = None
    error: str = ""  # when not acked: operation_timeout, dispatch_failed, http_service_error


def interaction_send(app: App, payload: dict[str, Any], *, timeout: float | None = None) -> Answer:
    """Send `payload` to the app (Socket Mode or its interactivity URL) and wait up to `timeout` (by
    default ACK_SECONDS) for its ack.

    Raises nothing: an app that cannot be reached, fails or is slow is an Answer with acked False.
    """
    timeout = ACK_SECONDS if timeout is None else timeout
    if app.socket_mode:
        acked, ack = socket_commands.send_and_wait(app, payload, timeout=timeout, envelope_type="interactive")
        return Answer(acked=True, body=ack) if acked else Answer(acked=False, error="operation_timeout")
    if not app.interactivity_url:
        return Answer(acked=False, error="dispatch_failed")
    body = urlencode({"payload": json.dumps(payload, separators=(",", ":"), ensure_ascii=False)}).encode()
    headers = {**signed_headers(app, body, timezone.now()), "Content-Type": "application/x-www-form-urlencoded"}
    try:
        response = outgoing.post(
            app.interactivity_url, body=body, headers=headers, timeout=timeout, max_response_bytes=ANSWER_MAX_BYTES
        )
    except outgoing.OutgoingError as error:
        return Answer(acked=False, error="operation_timeout" if error.reason == "http_timeout" else "dispatch_failed")
    if response.status != 200:
        return Answer(acked=False, error="http_service_error")
    return Answer(acked=True, body=_json_object(response.body))


def _json_object(raw: bytes) -> dict[str, Any] | None:
    text = raw.decode("utf-8", errors="replace").strip()
    if not text.startswith("{"):
        return None
    try:
        answer = jsonlimits.loads(text)
    except jsonlimits.JSONError:
        return None
    return answer if isinstance(answer, dict) else None
