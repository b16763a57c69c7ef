"""What the apps' tests share: an app server's answer to Slack's url_verification, waiting, fanning out."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from slack_apps.dispatch import fan_out
from slack_apps.models import AppEvent, EventDelivery
from slackclone.testing.http_recorder import Answer, Received


def echo_challenges(received: Received) -> Answer | None:
    """Answer url_verification as Bolt does: the challenge back, in JSON."""
    try:
        payload = json.loads(received.body or b"{}")
    except ValueError:  # a slash command's form
        return None
    if not isinstance(payload, dict) or payload.get("type") != "url_verification":
        return None
    return Answer(200, {"Content-Type": "application/json"}, json.dumps({"challenge": payload["challenge"]}).encode())


def api_url(server: Any) -> str:
    """The Web API of a live server (slack_apps.tests.conftest's `server`), for slack_sdk's base_url."""
    return f"http://127.0.0.1:{server.port}/api/"


def wait_until(condition: Callable[[], bool], timeout: float = 15.0) -> bool:
    """Poll for what another process does (a Bolt app answering, a socket acking) until `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def fanned_out(*, due_now: bool = True) -> list[EventDelivery]:
    """The deliveries of every event not dispatched yet (in a test's transaction, the dispatch queued after
    the commit never runs). With `due_now`, as the sweep finds them when their first sending was lost."""
    now = timezone.now()
    rows = fan_out(list(AppEvent.objects.filter(dispatched_at__isnull=True).values_list("pk", flat=True)), now=now)
    if due_now:
        EventDelivery.objects.filter(pk__in=[row.pk for row in rows]).update(next_attempt_at=now)
    return rows


def forget_events() -> None:
    """Drop the events and deliveries so far (a bot's own joining, say), so a test sees only its own."""
    AppEvent.objects.all().delete()
