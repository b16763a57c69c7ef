"""chat.postMessage, chat.postEphemeral, chat.update, chat.delete, chat.getPermalink (scheduling is in
slack_api.scheduled)."""

from __future__ import annotations

from typing import Any, TypedDict

from chat import selectors, services
from chat.blocks import BlocksError, message_text
from chat.links import message_permalink
from chat.wire import message_to_wire
from slack_api.core import Context, SlackError, method
from slack_api.lookups import channel_arg, message_arg, user_arg, user_by_id


def _post_target(ctx: Context):
    """Slack lets `channel` be a user id: the message goes to the DM with that person."""
    raw = ctx.args.str("channel")
    if raw.startswith(("U", "W")) and raw[1:].isalnum():
        channel, _created = services.dm_open(actor=ctx.user, workspace=ctx.workspace, users=[user_by_id(ctx, raw)])
        return channel
    return channel_arg(ctx)


def message_text_arg(ctx: Context) -> str:
    """`text`, or the words of `blocks` in its place, and those of `attachments` below (chat.blocks): for
    scheduled messages, which keep text only."""
    try:
        text = message_text(ctx.args.str("text"), ctx.args.data.get("blocks"), ctx.args.data.get("attachments"))
    except BlocksError as error:
        raise SlackError(error.error) from None
    if not text.strip():
        raise SlackError("no_text")
    return text


class ContentArgs(TypedDict):
    text: str
    blocks: Any
    legacy_attachments: Any


def content_args(ctx: Context) -> ContentArgs:
    """`text`, `blocks` and `attachments` as sent (a JSON array, or its text in a form): the services check them."""
    return {
        "text": ctx.args.str("text"),
        "blocks": ctx.args.data.get("blocks"),
        "legacy_attachments": ctx.args.data.get("attachments"),
    }


class BotDisplayArgs(TypedDict):
    username: str
    icon_emoji: str
    icon_url: str


def bot_display_args(ctx: Context) -> BotDisplayArgs:
    """A bot's name and icon for this one message (ignored for people, as Slack does)."""
    return {
        "username": ctx.args.str("username"),
        "icon_emoji": ctx.args.str("icon_emoji"),
        "icon_url": ctx.args.str("icon_url"),
    }


@method("chat.postMessage", write=True, scopes=("chat:write",))
def post_message(ctx: Context) -> dict:
    """Post as the token's user. A bot token's `username`, `icon_emoji` and `icon_url` name this message
    (Slack's bot_message); a person's are ignored, as Slack does. `blocks` and `attachments` are kept and
    shown; `text` is then the notification and search fallback (their words when it is empty).
    `unfurl_links` / `unfurl_media` false: no link previews (nor link_shared) / previews without images."""
    channel = _post_target(ctx)
    message = services.message_post(
        sender=ctx.user,
        channel=channel,
        **content_args(ctx),
        thread_ts=ctx.args.str("thread_ts") or None,
        client_msg_id=ctx.args.str("client_msg_id") or None,
        reply_broadcast=ctx.args.bool("reply_broadcast"),
        unfurl_links=ctx.args.bool("unfurl_links", True),
        unfurl_media=ctx.args.bool("unfurl_media", True),
        **bot_display_args(ctx),
    )
    message = selectors.message_get_for_wire(channel=channel, ts=message.ts)
    return {"channel": channel.public_id, "ts": message.ts, "message": message_to_wire(message)}


@method("chat.postEphemeral", write=True, scopes=("chat:write",))
def post_ephemeral(ctx: Context) -> dict:
    """Show a message to `user` alone, in `channel` (or its thread with `thread_ts`); nothing is stored.
    Slack answers with the message's ts only (message_ts)."""
    channel = channel_arg(ctx)
    recipient = user_arg(ctx)
    message = services.ephemeral_post(
        sender=ctx.user,
        channel=channel,
        recipient=recipient,
        **content_args(ctx),
        thread_ts=ctx.args.str("thread_ts") or None,
        **bot_display_args(ctx),
    )
    return {"message_ts": message.ts}


@method("chat.update", write=True, scopes=("chat:write",))
def update(ctx: Context) -> dict:
    channel = channel_arg(ctx)
    message = message_arg(ctx, channel)
    services.message_edit(actor=ctx.user, message=message, **content_args(ctx))
    message = selectors.message_get_for_wire(channel=channel, ts=message.ts)
    return {"channel": channel.public_id, "ts": message.ts, "text": message.text, "message": message_to_wire(message)}


@method("chat.delete", write=True, scopes=("chat:write",))
def delete(ctx: Context) -> dict:
    channel = channel_arg(ctx)
    message = message_arg(ctx, channel)
    if message.is_deleted:
        raise SlackError("message_not_found")
    services.message_delete(actor=ctx.user, message=message)
    return {"channel": channel.public_id, "ts": message.ts}


@method("chat.getPermalink")
def get_permalink(ctx: Context) -> dict:
    channel = channel_arg(ctx)
    message = message_arg(ctx, channel, "message_ts")
    return {"channel": channel.public_id, "permalink": message_permalink(message)}
