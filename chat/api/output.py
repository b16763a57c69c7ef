"""Response bodies of the chat API, built from chat.wire so every surface shows the same shapes."""

from __future__ import annotations

from typing import Any

from chat.models import Channel, ChannelKind, Message
from chat.wire import channel_to_wire, message_to_wire


def channel_out(channel: Channel, **extra: Any) -> dict[str, Any]:
    """A channel as chat.wire shapes it; DMs and group DMs also list who is in them."""
    wire: dict[str, Any] = dict(channel_to_wire(channel))
    if channel.kind in (ChannelKind.DM, ChannelKind.GROUP_DM) and channel.dm_key:
        wire["members"] = channel.dm_key.split(",")
    wire.update(extra)
    return wire


def messages_out(messages: list[Message]) -> list[dict[str, Any]]:
    return [dict(message_to_wire(message)) for message in messages]
