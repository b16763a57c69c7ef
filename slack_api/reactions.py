"""reactions.add, reactions.remove, reactions.get."""

from __future__ import annotations

from chat import services
from chat.wire import message_to_wire
from slack_api.core import Context, SlackError, method
from slack_api.lookups import channel_arg, message_arg


def _target(ctx: Context, *, for_wire: bool = False):
    channel = channel_arg(ctx)
    return channel, message_arg(ctx, channel, "timestamp", for_wire=for_wire)


def _emoji(ctx: Context) -> str:
    name = ctx.args.str("name").strip(":")
    if not name:
        raise SlackError("invalid_name")
    return name


@method("reactions.add", write=True, scopes=("reactions:write",))
def add(ctx: Context) -> dict:
    _channel, message = _target(ctx)
    services.reaction_add(actor=ctx.user, message=message, emoji=_emoji(ctx))
    return {}


@method("reactions.remove", write=True, scopes=("reactions:write",))
def remove(ctx: Context) -> dict:
    _channel, message = _target(ctx)
    services.reaction_remove(actor=ctx.user, message=message, emoji=_emoji(ctx))
    return {}


@method("reactions.get", scopes=("reactions:read",))
def get(ctx: Context) -> dict:
    channel, message = _target(ctx, for_wire=True)
    return {"type": "message", "channel": channel.public_id, "message": message_to_wire(message)}
