"""Events API payloads in Slack's shapes: the inner events, and the event_callback envelope around them.

The inner message event starts from the message's wire shape (chat.wire), as Slack's does from its
own: the same user, text, ts, thread and bot fields, plus `event_ts`, `channel_type` and `team`,
less our `seq`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings

from chat.models import Channel, ChannelKind, Message
from chat.wire import message_to_wire

if TYPE_CHECKING:
    from accounts.models import User
    from slack_apps.models import App

# Slack's channel_type in message events, and the subscription each kind needs.
CHANNEL_TYPES: dict[str, str] = {
    ChannelKind.PUBLIC: "channel",
    ChannelKind.PRIVATE: "group",
    ChannelKind.DM: "im",
    ChannelKind.GROUP_DM: "mpim",
}
MESSAGE_SUBSCRIPTIONS: dict[str, str] = {
    ChannelKind.PUBLIC: "message.channels",
    ChannelKind.PRIVATE: "message.groups",
    ChannelKind.DM: "message.im",
    ChannelKind.GROUP_DM: "message.mpim",
}


def event_ts(now: float | None = None) -> str:
    now = time.time() if now is None else now
    return f"{now:.6f}"


def message_event(message: Message) -> dict[str, Any]:
    """A new message, as the message.* subscriptions receive it."""
    event: dict[str, Any] = dict(message_to_wire(message, with_reactions=False))
    del event["seq"]
    channel = message.channel
    event.update(event_ts=message.ts, channel_type=CHANNEL_TYPES[channel.kind], team=channel.workspace.public_id)
    return event


def message_changed_event(message: Message, previous_text: str) -> dict[str, Any]:
    channel = message.channel
    current = message_event(message)
    previous = {**current, "text": previous_text}
    previous.pop("edited", None)
    for key in ("event_ts", "channel_type"):
        current.pop(key)
        previous.pop(key)
    now = event_ts()
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": channel.public_id,
        "ts": now,
        "event_ts": now,
        "channel_type": CHANNEL_TYPES[channel.kind],
        "message": current,
        "previous_message": previous,
    }


def message_deleted_event(message: Message, previous_text: str) -> dict[str, Any]:
    channel = message.channel
    now = event_ts()
    previous = {"type": "message", "user": message.author.public_id, "text": previous_text, "ts": message.ts}
    if message.thread_root is not None:
        previous["thread_ts"] = message.thread_root.ts
    return {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": channel.public_id,
        "ts": now,
        "deleted_ts": message.ts,
        "event_ts": now,
        "channel_type": CHANNEL_TYPES[channel.kind],
        "previous_message": previous,
    }


def app_mention_event(message: Message) -> dict[str, Any]:
    event = message_event(message)
    event["type"] = "app_mention"
    event.pop("channel_type")
    return event


def reaction_event(message: Message, user: User, emoji: str, *, added: bool) -> dict[str, Any]:
    return {
        "type": "reaction_added" if added else "reaction_removed",
        "user": user.public_id,
        "reaction": emoji,
        "item_user": message.author.public_id,
        "item": {"type": "message", "channel": message.channel.public_id, "ts": message.ts},
        "event_ts": event_ts(),
    }


def member_event(channel: Channel, user: User, *, joined: bool, inviter: User | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "member_joined_channel" if joined else "member_left_channel",
        "user": user.public_id,
        "channel": channel.public_id,
        "channel_type": "C" if channel.kind == ChannelKind.PUBLIC else "G",
        "team": channel.workspace.public_id,
        "event_ts": event_ts(),
    }
    if joined and inviter is not None and inviter.pk != user.pk:
        event["inviter"] = inviter.public_id
    return event


def channel_created_event(channel: Channel) -> dict[str, Any]:
    return {
        "type": "channel_created",
        "channel": {
            "id": channel.public_id,
            "name": channel.name,
            "created": int(channel.created_at.timestamp()),
            "creator": channel.created_by.public_id if channel.created_by is not None else "",
        },
        "event_ts": event_ts(),
    }


def emoji_changed_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """The clients' emoji_changed as Slack sends it to apps: an image's URL made absolute, as in emoji.list."""
    inner = dict(event)
    value = inner.get("value")
    if isinstance(value, str) and not value.startswith("alias:"):
        inner["value"] = f"{settings.SITE_URL}{value}"
    return inner


def envelope_body(app: App, event: dict[str, Any], *, event_id: str, event_time: int) -> str:
    """The event_callback envelope as the exact JSON sent (and signed) on every attempt."""
    team_id = app.workspace.public_id
    envelope = {
        "token": "",  # Slack's deprecated verification token: requests are signed instead
        "team_id": team_id,
        "context_team_id": team_id,
        "api_app_id": app.public_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": app.bot_user.public_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{event_id}-{app.public_id}",
    }
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False)
