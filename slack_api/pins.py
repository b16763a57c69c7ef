"""pins.add, pins.remove, pins.list."""

from __future__ import annotations

from chat import selectors, services
from chat.wire import message_to_wire
from slack_api.core import Context, method
from slack_api.lookups import channel_arg, message_arg


@method("pins.add", write=True, scopes=("pins:write",))
def add(ctx: Context) -> dict:
    channel = channel_arg(ctx)
    services.pin_add(actor=ctx.user, message=message_arg(ctx, channel, "timestamp"))
    return {}


@method("pins.remove", write=True, scopes=("pins:write",))
def remove(ctx: Context) -> dict:
    channel = channel_arg(ctx)
    services.pin_remove(actor=ctx.user, message=message_arg(ctx, channel, "timestamp"))
    return {}


@method("pins.list", scopes=("pins:read",))
def list_(ctx: Context) -> dict:
    channel = channel_arg(ctx)
    items = [
        {"type": "message", "channel": channel.public_id, "message": message_to_wire(message)}
        for message in selectors.channel_pins(channel=channel)
    ]
    return {"items": items}
