"""chat.scheduleMessage, chat.deleteScheduledMessage, chat.scheduledMessages.list: Slack's scheduled
messages, over the same services and selectors as the REST API's (notifications.services.scheduled)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, overload

from django.db.models import Q

from notifications import selectors as notification_selectors
from notifications.models import ScheduledMessage
from notifications.services.scheduled import scheduled_message_cancel, scheduled_message_create
from slack_api.chat import message_text_arg
from slack_api.core import Context, SlackError, method, paged
from slack_api.lookups import channel_arg
from slackclone.api.pagination import encode_cursor

LIST_LIMIT_DEFAULT = 100
LIST_LIMIT_MAX = 1000


@overload
def _time_arg(ctx: Context, key: str, *, required: Literal[True]) -> datetime: ...
@overload
def _time_arg(ctx: Context, key: str, *, required: bool = False) -> datetime | None: ...
def _time_arg(ctx: Context, key: str, *, required: bool = False) -> datetime | None:
    """A Unix time in seconds (Slack's post_at, oldest, latest), as an aware datetime."""
    seconds = ctx.args.int(key, error="invalid_time")
    if seconds is None:
        if required:
            raise SlackError("invalid_time")
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise SlackError("invalid_time") from None


@method("chat.scheduleMessage", write=True, scopes=("chat:write",))
def schedule_message(ctx: Context) -> dict:
    """Post `text` (or the words of `blocks`/`attachments`) as the token's user at `post_at`, at most
    120 days ahead; the answer's message is Slack's `delayed_message`."""
    channel = channel_arg(ctx)
    text = message_text_arg(ctx)
    scheduled = scheduled_message_create(
        actor=ctx.user,
        channel=channel,
        text=text,
        post_at=_time_arg(ctx, "post_at", required=True),
        thread_ts=ctx.args.str("thread_ts") or None,
        reply_broadcast=ctx.args.bool("reply_broadcast"),
    )
    return {
        "channel": channel.public_id,
        "scheduled_message_id": scheduled.public_id,
        "post_at": int(scheduled.post_at.timestamp()),
        "message": {
            "type": "delayed_message",
            "text": scheduled.text,
            "user": ctx.user.public_id,
            "team": ctx.workspace.public_id,
        },
    }


@method("chat.deleteScheduledMessage", write=True, scopes=("chat:write",))
def delete_scheduled_message(ctx: Context) -> dict:
    """Cancel one of the caller's scheduled messages of `channel` before it is posted."""
    channel = channel_arg(ctx)
    scheduled = notification_selectors.scheduled_message_get(
        user=ctx.user, public_id=ctx.args.str("scheduled_message_id")
    )
    if scheduled.channel_id != channel.pk:
        raise SlackError("invalid_scheduled_message_id")
    scheduled_message_cancel(actor=ctx.user, scheduled=scheduled)
    return {}


def _scheduled_to_wire(row: ScheduledMessage) -> dict:
    return {
        "id": row.public_id,
        "channel_id": row.channel.public_id,
        "post_at": int(row.post_at.timestamp()),
        "date_created": int(row.created_at.timestamp()),
        "text": row.text,
    }


def _after_cursor(ctx: Context, rows):
    """Rows after the cursor's (post_at in microseconds, id): the order the list is given in."""
    cursor = ctx.args.cursor(2)
    if cursor is None:
        return rows
    try:
        post_at = datetime.fromtimestamp(int(cursor[0]) / 1_000_000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise SlackError("invalid_cursor") from None
    return rows.filter(Q(post_at__gt=post_at) | Q(post_at=post_at, public_id__gt=cursor[1]))


@method("chat.scheduledMessages.list", scopes=("chat:write",))
def list_scheduled_messages(ctx: Context) -> dict:
    """The caller's messages still waiting to be posted, soonest first: in one `channel` if given,
    between `oldest` and `latest` (post_at, Unix seconds) if given; paged by cursor."""
    channel = channel_arg(ctx) if ctx.args.str("channel") else None
    limit = ctx.args.limit(LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX)
    rows = notification_selectors.scheduled_messages(user=ctx.user, workspace=ctx.workspace, channel=channel)
    oldest, latest = _time_arg(ctx, "oldest"), _time_arg(ctx, "latest")
    if oldest is not None:
        rows = rows.filter(post_at__gte=oldest)
    if latest is not None:
        rows = rows.filter(post_at__lte=latest)
    page = list(_after_cursor(ctx, rows).order_by("post_at", "public_id")[: limit + 1])
    cursor = None
    if len(page) > limit:
        page = page[:limit]
        last = page[-1]
        cursor = encode_cursor(str(int(last.post_at.timestamp() * 1_000_000)), last.public_id)
    return paged({"scheduled_messages": [_scheduled_to_wire(row) for row in page]}, cursor)
