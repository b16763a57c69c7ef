"""Reading an incoming-webhook request as Slack does: a JSON body, or a form with `payload=<JSON>`.

Slack answers a bad request with a plain-text error name and a status; WebhookRejected carries both.
"""

from __future__ import annotations

from typing import Any

from integrations.services import WebhookPost
from slackclone import jsonlimits

STRING_FIELDS = ("text", "username", "icon_emoji", "icon_url", "thread_ts")
SWITCHES = ("unfurl_links", "unfurl_media")  # Slack's booleans: only false (or "false") turns one off


class WebhookRejected(Exception):
    """A request Slack would refuse: `error` is the plain-text body, `status` the HTTP status."""

    def __init__(self, error: str, status: int, *, retry_after: int | None = None):
        super().__init__(error)
        self.error = error
        self.status = status
        self.retry_after = retry_after


def _decode(request) -> dict[str, Any]:
    content_type = (request.content_type or "").lower()
    if content_type == "application/json":
        raw: Any = request.body
    else:
        raw = request.POST.get("payload")
        if raw is None:
            raise WebhookRejected("invalid_payload", 400)
    try:
        data = jsonlimits.loads(raw)
    except jsonlimits.JSONError:  # invalid, or nested too deeply
        raise WebhookRejected("invalid_payload", 400) from None
    if not isinstance(data, dict):
        raise WebhookRejected("invalid_payload", 400)
    return data


def parse_webhook_request(request) -> WebhookPost:
    """The post a webhook request asks for. Raises WebhookRejected: invalid_payload (400). Its text, blocks
    and attachments are checked where it is posted (webhook_post)."""
    data = _decode(request)
    for key in STRING_FIELDS:
        value = data.get(key)
        if value is not None and not isinstance(value, (str, int, float)):
            raise WebhookRejected("invalid_payload", 400)
    strings = {key: str(data.get(key) or "") for key in STRING_FIELDS}
    on = {key: data.get(key) not in (False, "false", "0", 0) for key in SWITCHES}
    return WebhookPost(
        **strings,
        blocks=data.get("blocks"),
        attachments=data.get("attachments"),
        unfurl_links=on["unfurl_links"],
        unfurl_media=on["unfurl_media"],
    )
