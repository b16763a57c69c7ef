"""The `notification` event: someone should hear of a message, on their own sockets."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from notifications.models import NotificationReason
from realtime.event_types import NotificationEvent, NotificationReasonName
from realtime.transport import publish_each

if TYPE_CHECKING:
    from chat.models import Message


PREVIEW_CHARS = 200


def notification_event(message: Message, reason: NotificationReason, *, alert: bool) -> NotificationEvent:
    """The `notification` event: enough to show an alert and open the message; the message itself comes
    from the channel's own events or the API."""
    event: NotificationEvent = {
        "type": "notification",
        "reason": cast(NotificationReasonName, reason.value),
        "workspace": message.channel.workspace.public_id,
        "channel": message.channel.public_id,
        "ts": message.ts,
        "seq": message.seq,
        "user": message.author.public_id,
        "text": message.text[:PREVIEW_CHARS],
        "alert": alert,
    }
    if message.thread_root is not None:
        event["thread_ts"] = message.thread_root.ts
    return event


def send_notifications(notifications: list[tuple[str, NotificationEvent]]) -> None:
    """A `notification` event to each recipient's own sockets, once the transaction commits.

    `notifications` pairs a recipient's public user id with their event (built by
    notifications.services).
    """
    for _, event in notifications:
        if event["type"] != "notification":
            raise ValueError(f"{event['type']!r} is not a notification")
    # user_group() without loading the users
    publish_each([(f"u.{user_public_id}", event, event["workspace"]) for user_public_id, event in notifications])
