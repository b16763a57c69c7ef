"""The `notification` event: someone should hear of a message, on their own sockets."""

from __future__ import annotations

from typing import Any

from realtime.transport import publish_each


def send_notifications(notifications: list[tuple[str, dict[str, Any]]]) -> None:
    """A `notification` event to each recipient's own sockets, once the transaction commits.

    `notifications` pairs a recipient's public user id with their event (built by
    notifications.services).
    """
    for _, event in notifications:
        if event["type"] != "notification":
            raise ValueError(f"{event['type']!r} is not a notification")
    # user_group() without loading the users
    publish_each([(f"u.{user_public_id}", event, event["workspace"]) for user_public_id, event in notifications])
