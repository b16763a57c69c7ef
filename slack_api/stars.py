"""stars.add, stars.remove, stars.list: Slack's older API for what its clients now call "Save for later"
(notifications.services.saved). Messages only: Slack's file and channel stars have no counterpart here."""

from __future__ import annotations

from chat.wire import message_to_wire
from notifications import selectors
from notifications.services.saved import saved_add, saved_remove
from slack_api.core import Context, method, paged
from slack_api.lookups import channel_arg, message_arg
from slackclone.errors import DomainError, ErrorCode


@method("stars.add", write=True, scopes=("stars:write",))
def add(ctx: Context) -> dict:
    channel = channel_arg(ctx)
    saved_add(actor=ctx.user, message=message_arg(ctx, channel, "timestamp"))
    return {}


@method("stars.remove", write=True, scopes=("stars:write",))
def remove(ctx: Context) -> dict:
    channel = channel_arg(ctx)
    saved_remove(actor=ctx.user, message=message_arg(ctx, channel, "timestamp"))
    return {}


@method("stars.list", scopes=("stars:read",))
def list_(ctx: Context) -> dict:
    if ctx.user.is_bot:
        raise DomainError(ErrorCode.NOT_ALLOWED_TOKEN_TYPE, "A bot has nothing saved.")
    rows = selectors.saved_items(user=ctx.user, workspace=ctx.workspace, done=False)
    items = [
        {
            "type": "message",
            "channel": row.message.channel.public_id,
            "message": message_to_wire(row.message),
            "date_create": int(row.saved_at.timestamp()),
        }
        for row in rows
    ]
    return paged({"items": items}, None)
