"""Events API deliveries written in the transaction of the change that caused them (the outbox).

chat announces its changes with signals (chat.signals), sent inside each service's transaction;
the receivers here write one EventDelivery per app that should hear of the change, so the change
and its deliveries commit together or not at all, and queue the sending for after the commit
(slack_apps.delivery). An app hears of a change when it is enabled, subscribes to the event, and
its bot is in the channel (channel_created: a public channel, and emoji_changed: the workspace's news,
for every subscriber), as in Slack.

A workspace without subscribing apps costs nothing here: Workspace.has_event_subscribers, read
with the workspace the service already loaded, says so without a query.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.dispatch import Signal

from chat.models import Channel, ChannelKind, ChannelMember, Mention, MentionKind, Message
from slack_apps import envelopes
from slack_apps.models import App, EventDelivery
from slackclone.ids import new_public_id

if TYPE_CHECKING:
    from accounts.models import User
    from workspaces.models import Workspace


def _apps_subscribed(workspace: Workspace, event_names: Iterable[str]) -> list[App]:
    """The enabled apps of the workspace subscribed to any of `event_names`."""
    if not workspace.has_event_subscribers:
        return []
    wanted = set(event_names)
    return [
        app
        for app in App.objects.filter(workspace_id=workspace.pk, disabled_at__isnull=True).select_related(
            "bot_user", "workspace"
        )
        if wanted & set(app.bot_events)
    ]


def _apps_hearing(channel: Channel, event_names: Iterable[str], *, in_channel: bool = True) -> list[App]:
    """The enabled apps of the channel's workspace subscribed to any of `event_names` (whose bot is in the
    channel, unless `in_channel` is False)."""
    apps = _apps_subscribed(channel.workspace, event_names)
    if not in_channel or not apps:
        return apps
    bots_in = set(
        ChannelMember.objects.filter(channel=channel, user_id__in=[app.bot_user_id for app in apps]).values_list(
            "user_id", flat=True
        )
    )
    return [app for app in apps if app.bot_user_id in bots_in]


def _write(deliveries: list[tuple[App, dict[str, Any]]], channel: Channel | None) -> None:
    """One outbox row per (app, inner event); their sending is queued for after the commit. `channel` is
    what the event is about (None: the workspace as a whole)."""
    if not deliveries:
        return
    now = int(time.time())
    rows = []
    for app, event in deliveries:
        event_id = new_public_id("Ev")
        body = envelopes.envelope_body(app, event, event_id=event_id, event_time=now)
        rows.append(
            EventDelivery(
                app=app,
                event_id=event_id,
                event_type=event["type"],
                channel_id=channel.public_id if channel is not None else "",
                body=body,
            )
        )
    created = EventDelivery.objects.bulk_create(rows)
    ids = [row.pk for row in created]

    def send_after_commit() -> None:
        from slack_apps.tasks import deliver_events

        deliver_events.delay(ids)

    # A broker that is down now delays the sending (the periodic sweep finds the rows), nothing more.
    transaction.on_commit(send_after_commit, robust=True)


def on_message_posted(*, message: Message, mentions: list[Mention], **_: Any) -> None:
    channel = message.channel
    subscription = envelopes.MESSAGE_SUBSCRIPTIONS[channel.kind]
    apps = _apps_hearing(channel, [subscription, "app_mention"])
    if not apps:
        return
    mentioned = {m.user_id for m in mentions if m.kind == MentionKind.USER}
    deliveries: list[tuple[App, dict[str, Any]]] = []
    for app in apps:
        if subscription in app.bot_events:
            deliveries.append((app, envelopes.message_event(message)))
        if "app_mention" in app.bot_events and app.bot_user_id in mentioned and app.bot_user_id != message.author_id:
            deliveries.append((app, envelopes.app_mention_event(message)))
    _write(deliveries, channel)


def on_message_edited(*, message: Message, previous_text: str, **_: Any) -> None:
    channel = message.channel
    subscription = envelopes.MESSAGE_SUBSCRIPTIONS[channel.kind]
    apps = _apps_hearing(channel, [subscription])
    _write([(app, envelopes.message_changed_event(message, previous_text)) for app in apps], channel)


def on_message_deleted(*, message: Message, previous_text: str, **_: Any) -> None:
    channel = message.channel
    subscription = envelopes.MESSAGE_SUBSCRIPTIONS[channel.kind]
    apps = _apps_hearing(channel, [subscription])
    _write([(app, envelopes.message_deleted_event(message, previous_text)) for app in apps], channel)


def on_reaction_changed(*, message: Message, user: User, emoji: str, added: bool, **_: Any) -> None:
    channel = message.channel
    name = "reaction_added" if added else "reaction_removed"
    apps = _apps_hearing(channel, [name])
    _write([(app, envelopes.reaction_event(message, user, emoji, added=added)) for app in apps], channel)


def on_member_joined(*, channel: Channel, user: User, inviter: User | None, **_: Any) -> None:
    if channel.is_direct:
        return
    apps = _apps_hearing(channel, ["member_joined_channel"])
    event = envelopes.member_event(channel, user, joined=True, inviter=inviter)
    _write([(app, event) for app in apps], channel)


def on_member_left(*, channel: Channel, user: User, **_: Any) -> None:
    if channel.is_direct:
        return
    apps = _apps_hearing(channel, ["member_left_channel"])
    _write([(app, envelopes.member_event(channel, user, joined=False)) for app in apps], channel)


def on_channel_created(*, channel: Channel, **_: Any) -> None:
    if channel.kind != ChannelKind.PUBLIC:
        return
    apps = _apps_hearing(channel, ["channel_created"], in_channel=False)
    _write([(app, envelopes.channel_created_event(channel)) for app in apps], channel)


def on_emoji_changed(*, workspace: Workspace, event: Mapping[str, Any], **_: Any) -> None:
    """A custom emoji added or removed: the whole workspace's news, for every subscribed app."""
    apps = _apps_subscribed(workspace, ["emoji_changed"])
    _write([(app, envelopes.emoji_changed_event(event)) for app in apps], None)


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
