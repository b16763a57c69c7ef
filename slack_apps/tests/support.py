"""What the apps' tests share: an app server's answer to Slack's url_verification."""

from __future__ import annotations

import json

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
