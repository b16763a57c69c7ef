"""Slack's url_verification: a request URL is saved only once the app behind it echoes a challenge.

The challenge is sent signed with the app's signing secret, as every request to the app is, so an
app built with Bolt answers it by itself; a URL that does not (someone else's server, a typo)
is refused with what went wrong, and nothing is saved.
"""

from __future__ import annotations

import json
import secrets

from django.utils import timezone

from slack_apps.delivery import TIMEOUT_SECONDS, signed_headers
from slack_apps.models import App
from slackclone import outgoing
from slackclone.errors import DomainError, ErrorCode


def _failed(url: str, why: str) -> DomainError:
    return DomainError(
        ErrorCode.URL_VERIFICATION_FAILED,
        "%(url)s did not pass Slack's URL verification: %(why)s.",
        fields={"request_url": "verification_failed"},
        params={"url": url, "why": why},
    )


def _echoed(body: bytes, challenge: str) -> bool:
    text = body.decode("utf-8", errors="replace").strip()
    if text == challenge:
        return True
    try:
        answer = json.loads(text)
    except ValueError:
        return False
    return isinstance(answer, dict) and answer.get("challenge") == challenge


def verify_request_url(app: App, url: str) -> None:
    """POST url_verification to `url`; raises url_verification_failed unless the answer echoes the challenge."""
    challenge = secrets.token_urlsafe(32)
    body = json.dumps({"token": "", "challenge": challenge, "type": "url_verification"}).encode()
    try:
        response = outgoing.post(
            url, body=body, headers=signed_headers(app, body, timezone.now()), timeout=TIMEOUT_SECONDS
        )
    except outgoing.OutgoingError as error:
        raise _failed(url, f"{error.reason} ({error})") from None
    if response.status != 200:
        raise _failed(url, f"it answered HTTP {response.status}")
    if not _echoed(response.body, challenge):
        raise _failed(url, "the answer did not contain the challenge")
