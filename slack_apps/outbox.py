"""The outbox of the Events API: a change's events are written in the transaction of the change.

chat announces its changes with signals (chat.signals), sent inside each service's transaction; the
receivers here write one AppEvent per kind of event the change produces (a message, and an
app_mention if it mentions someone), so the change and its events commit together or not at all,
and queue their dispatch for after the commit (slack_apps.dispatch), which decides which apps hear
of each and delivers it. The request that made the change pays for one INSERT, however many apps
the workspace has.

A workspace without subscribing apps costs nothing here: Workspace.has_event_subscribers, read
with the workspace the service already loaded, says so without a query.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.dispatch import Signal

from chat.models import Channel, ChannelKind, Mention, MentionKind, Message
from slack_apps import envelopes
from slack_apps.models import App, AppEvent

if TYPE_CHECKING:
    from accounts.models import User
    from workspaces.models import Workspace


def _event_row(
    channel: Channel | None,
    subscription: str,
    event: dict[str, Any],
    *,
    workspace_id: int = 0,
    in_channel: bool = True,
    audience: list[int] | None = None,
) -> AppEvent:
    """An event about a channel, or (channel None) about the workspace `workspace_id` as a whole."""
    return AppEvent(
        workspace_id=channel.workspace_id if channel is not None else workspace_id,
        subscription=subscription,
        event_type=event["type"],
        channel_id=channel.public_id if channel is not None else "",
        channel_pk=channel.pk if channel is not None else None,
        in_channel=in_channel and channel is not None,
        audience=audience or [],
        event=json.dumps(event, separators=(",", ":"), ensure_ascii=False),
        event_time=int(time.time()),
    )


def _write(rows: list[AppEvent]) -> None:
    """Insert the rows; their dispatch is queued for after the commit."""
    created = AppEvent.objects.bulk_create(rows)
    ids = [row.pk for row in created]

    def dispatch_after_commit() -> None:
        from slack_apps.tasks import dispatch_events

        dispatch_events.delay(ids)

    # A broker that is down now delays the dispatch (the periodic sweep finds the rows), nothing more.
    transaction.on_commit(dispatch_after_commit, robust=True)


def _listening(channel: Channel) -> bool:
    return channel.workspace.has_event_subscribers


def on_message_posted(*, message: Message, mentions: list[Mention], **_: Any) -> None:
    channel = message.channel
    if not _listening(channel):
        return
    rows = [_event_row(channel, envelopes.MESSAGE_SUBSCRIPTIONS[channel.kind], envelopes.message_event(message))]
    people = {m.user_id for m in mentions if m.kind == MentionKind.USER and m.user_id is not None}
    mentioned = sorted(people - {message.author_id})
    if mentioned:
        rows.append(_event_row(channel, "app_mention", envelopes.app_mention_event(message), audience=mentioned))
    _write(rows)


def on_message_edited(*, message: Message, previous_text: str, **_: Any) -> None:
    channel = message.channel
    if _listening(channel):
        event = envelopes.message_changed_event(message, previous_text)
        _write([_event_row(channel, envelopes.MESSAGE_SUBSCRIPTIONS[channel.kind], event)])


def on_message_deleted(*, message: Message, previous_text: str, **_: Any) -> None:
    channel = message.channel
    if _listening(channel):
        event = envelopes.message_deleted_event(message, previous_text)
        _write([_event_row(channel, envelopes.MESSAGE_SUBSCRIPTIONS[channel.kind], event)])


def on_reaction_changed(*, message: Message, user: User, emoji: str, added: bool, **_: Any) -> None:
    channel = message.channel
    if _listening(channel):
        event = envelopes.reaction_event(message, user, emoji, added=added)
        _write([_event_row(channel, event["type"], event)])


def on_member_joined(*, channel: Channel, user: User, inviter: User | None, **_: Any) -> None:
    if not channel.is_direct and _listening(channel):
        event = envelopes.member_event(channel, user, joined=True, inviter=inviter)
        _write([_event_row(channel, "member_joined_channel", event)])


def on_member_left(*, channel: Channel, user: User, **_: Any) -> None:
    if not channel.is_direct and _listening(channel):
        _write([_event_row(channel, "member_left_channel", envelopes.member_event(channel, user, joined=False))])


def on_channel_created(*, channel: Channel, **_: Any) -> None:
    if channel.kind == ChannelKind.PUBLIC and _listening(channel):
        event = envelopes.channel_created_event(channel)
        _write([_event_row(channel, "channel_created", event, in_channel=False)])


def on_emoji_changed(*, workspace: Workspace, event: Mapping[str, Any], **_: Any) -> None:
    """A custom emoji added or removed: the whole workspace's news, for every subscribed app."""
    if workspace.has_event_subscribers:
        row = _event_row(None, "emoji_changed", envelopes.emoji_changed_event(event), workspace_id=workspace.pk)
        _write([row])


def write_app_home_opened(dm: Channel, app: App, event: dict[str, Any]) -> None:
    """A person opened the app's Home: for that app alone (its bot is in the DM `dm`)."""
    event = {**event, "event_ts": f"{time.time():.6f}"}
    _write([_event_row(dm, "app_home_opened", event, audience=[app.bot_user_id])])


def connect() -> None:
    """Receive chat's signals (SlackAppsConfig.ready)."""
    from chat import signals

    receivers: dict[Signal, Callable[..., None]] = {
        signals.message_posted: on_message_posted,
        signals.message_edited: on_message_edited,
        signals.message_deleted: on_message_deleted,
        signals.reaction_changed: on_reaction_changed,
        signals.member_joined: on_member_joined,
        signals.member_left: on_member_left,
        signals.channel_created: on_channel_created,
        signals.emoji_changed: on_emoji_changed,
    }
    for signal, receiver in receivers.items():
        signal.connect(receiver, dispatch_uid=f"slack_apps.outbox.{receiver.__name__}")


def workspace_has_subscribers(workspace_id: int) -> bool:
    """Whether an enabled app of the workspace subscribes to any event (what has_event_subscribers caches)."""
    return any(
        events
        for events in App.objects.filter(workspace_id=workspace_id, disabled_at__isnull=True).values_list(
            "bot_events", flat=True
        )
    )
