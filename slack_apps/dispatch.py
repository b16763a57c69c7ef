"""Dispatch: which apps hear of each AppEvent, one EventDelivery each, and the first sending, off the request path.

An app hears of an event when it is enabled, subscribes to the event's name, its bot is in the
channel (unless the event is about the workspace, as channel_created is) and, for an app_mention,
its bot is one of the people mentioned: the rules Slack applies. Dispatch runs in the `apps` queue
after the change commits (slack_apps.tasks), in one transaction per batch of events: the deliveries
are written and the events marked dispatched together, so the periodic sweep dispatches what a lost
task left behind, never twice.

Then each delivery is sent once at once: Socket Mode apps' envelopes go to their sockets over the
channel layer (slack_apps.socket_mode), HTTP apps' are POSTed together (slack_apps.delivery). Each
row is leased for that first sending (its next attempt a while ahead), so the sweep leaves it alone
unless the sending is lost; retries follow from there.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from chat.models import ChannelMember
from realtime import transport
from slack_apps import delivery
from slack_apps.models import App, AppEvent, EventDelivery
from slackclone.transactions import commit_without_waiting_for_flush

FIRST_SENDING_LEASE = timedelta(seconds=30)
SWEEP_AFTER = timedelta(seconds=5)  # an event not dispatched by then has lost its task
SWEEP_BATCH = 200
# What hearing and sending need of an app, its bot and its workspace (fifty apps are read per event).
APP_FIELDS_TO_SEND = (
    "public_id", "bot_events", "socket_mode", "request_url", "request_url_disabled_at", "disabled_at",
    "signing_secret_sealed", "delivery_failures", "workspace__public_id", "workspace__slug",
    "bot_user__public_id",
)  # fmt: skip


class _Listeners:
    """The enabled apps of each workspace and which of their bots are in each channel, read once per batch."""

    def __init__(self) -> None:
        self._apps: dict[int, list[App]] = {}
        self._bots_in: dict[int, set[int]] = {}

    def apps(self, workspace_id: int) -> list[App]:
        if workspace_id not in self._apps:
            self._apps[workspace_id] = list(
                App.objects.filter(workspace_id=workspace_id, disabled_at__isnull=True)
                .exclude(bot_events=[])
                .select_related("bot_user", "workspace")
                .only(*APP_FIELDS_TO_SEND)
            )
        return self._apps[workspace_id]

    def bots_in(self, channel_pk: int, apps: list[App]) -> set[int]:
        if channel_pk not in self._bots_in:
            self._bots_in[channel_pk] = set(
                ChannelMember.objects.filter(
                    channel_id=channel_pk, user_id__in=[app.bot_user_id for app in apps]
                ).values_list("user_id", flat=True)
            )
        return self._bots_in[channel_pk]

    def hearing(self, event: AppEvent) -> list[App]:
        apps = [app for app in self.apps(event.workspace_id) if event.subscription in app.bot_events]
        if apps and event.in_channel and event.channel_pk is not None:
            inside = self.bots_in(event.channel_pk, apps)
            apps = [app for app in apps if app.bot_user_id in inside]
        if event.audience:
            audience = set(event.audience)
            apps = [app for app in apps if app.bot_user_id in audience]
        return apps


def dispatch(event_ids: list[int], *, now: datetime | None = None) -> list[EventDelivery]:
    """Write the deliveries of these events (those not dispatched yet) and send each once.

    Callers: the `apps` queue (after the commit of the change), and the periodic sweep. Returns the
    deliveries written.
    """
    now = now or timezone.now()
    rows = fan_out(event_ids, now=now)
    send_first(rows, now)
    return rows


def fan_out(event_ids: list[int], *, now: datetime) -> list[EventDelivery]:
    """One transaction: a delivery for each app that hears of each event not dispatched yet (leased for
    its first sending), and the events marked dispatched. Events another worker holds are skipped."""
    with transaction.atomic():
        commit_without_waiting_for_flush()  # a dispatch lost with the database is done again by the sweep
        events = list(
            AppEvent.objects.select_for_update(skip_locked=True)
            .filter(pk__in=event_ids, dispatched_at__isnull=True)
            .order_by("pk")
        )
        if not events:
            return []
        listeners = _Listeners()
        rows = [
            EventDelivery(app=app, app_event=event, next_attempt_at=now + FIRST_SENDING_LEASE)
            for event in events
            for app in listeners.hearing(event)
        ]
        EventDelivery.objects.bulk_create(rows)
        AppEvent.objects.filter(pk__in=[event.pk for event in events]).update(dispatched_at=now)
    return rows


def send_first(rows: list[EventDelivery], now: datetime) -> None:
    """The first sending: Socket Mode envelopes to the processes holding the apps' sockets, one batch per
    workspace (slack_apps.socket_router); HTTP ones POSTed together (slack_apps.delivery)."""
    by_workspace: dict[str, list[list[object]]] = defaultdict(list)
    by_http: list[EventDelivery] = []
    for row in rows:
        app = row.app
        if app.socket_mode:
            by_workspace[app.workspace.public_id].append([row.pk, app.public_id, 0, "", row.body])
        else:
            by_http.append(row)
    transport.group_messages(
        [
            (group, {"type": "sm.batch", "group": group, "deliveries": deliveries})
            for group, deliveries in ((transport.workspace_apps_group(w), d) for w, d in by_workspace.items())
        ]
    )
    if by_http:
        delivery.send_batch(by_http, now)


def undispatched_event_ids(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> list[int]:
    """Events whose dispatch task never ran (the broker or a worker was down): the sweep dispatches them."""
    cutoff = (now or timezone.now()) - SWEEP_AFTER
    return list(
        AppEvent.objects.filter(dispatched_at__isnull=True, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def forget_old_events(*, now: datetime | None = None, keep: timedelta = timedelta(days=3), limit: int = 5000) -> int:
    """Delete up to `limit` events dispatched more than `keep` ago, with their deliveries (whose retries ended
    long before). Callers: beat's sweep. Returns how many events went."""
    cutoff = (now or timezone.now()) - keep
    old = list(AppEvent.objects.filter(dispatched_at__lt=cutoff).values_list("pk", flat=True)[:limit])
    if not old:
        return 0
    EventDelivery.objects.filter(app_event_id__in=old).delete()
    AppEvent.objects.filter(pk__in=old).delete()
    return len(old)
