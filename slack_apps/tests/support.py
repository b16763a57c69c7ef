"""What the apps' tests share: an app server's answer to Slack's url_verification."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

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


def wait_until(condition: Callable[[], bool], timeout: float = 15.0) -> bool:
    """Poll for what another process does (a Bolt app answering, a socket acking) until `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
