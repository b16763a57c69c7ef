"""Sending Events API envelopes to an app's request URL, signed and retried as Slack does.

A delivery's first sending comes with its dispatch (slack_apps.dispatch): the deliveries of a batch
of events are POSTed together, a few at a time (send_batch). A retry is claimed (its next attempt
pushed past a lease, so no other worker or sweep sends it meanwhile) and sent alone (deliver).
Each POST goes through slackclone.outgoing with Slack's signature over the exact bytes, and the
delivery is then marked delivered, scheduled for its next retry, or failed. The retries follow Slack's
schedule: at once, after about a minute, after about five minutes, each with X-Slack-Retry-Num and
X-Slack-Retry-Reason; an answer carrying `X-Slack-No-Retry: 1` stops them. After
DELIVERY_FAILURES_TO_DISABLE deliveries in a row have failed every retry, the request URL is
switched off and the workspace's admins are told, as Slack does.

Time is passed in (`now`), so the schedule is tested without waiting.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from realtime import transport
from slack_apps.models import App, DeliveryState, EventDelivery
from slack_apps.notices import tell_admins_request_url_disabled
from slack_apps.sealing import unseal
from slackclone import outgoing
from slackclone.transactions import commit_without_waiting_for_flush

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3.0
# After the first attempt: a retry at once, then after a minute, then after five.
RETRY_DELAYS = (timedelta(0), timedelta(minutes=1), timedelta(minutes=5))
LEASE = timedelta(seconds=30)
DELIVERY_FAILURES_TO_DISABLE = 10
SWEEP_BATCH = 500
# POSTs in flight at once per worker process: apps answer within TIMEOUT_SECONDS, and most in a few ms.
SENDERS = 16
_senders: ThreadPoolExecutor | None = None


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Slack's request signature: v0= and the hex HMAC-SHA256 of v0:{timestamp}:{body}."""
    basestring = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), basestring, hashlib.sha256).hexdigest()


def signed_headers(app: App, body: bytes, now: datetime) -> dict[str, str]:
    timestamp = int(now.timestamp())
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature(unseal(app.signing_secret_sealed), timestamp, body),
    }


@dataclass(frozen=True)
class Attempt:
    ok: bool
    reason: str = ""  # Slack's retry reason: http_timeout, connection_failed, http_error, ...
    retry: bool = True


def _post(app: App, delivery: EventDelivery, now: datetime) -> Attempt:
    body = delivery.body.encode()
    headers = signed_headers(app, body, now)
    if delivery.attempts:
        headers["X-Slack-Retry-Num"] = str(delivery.attempts)
        headers["X-Slack-Retry-Reason"] = delivery.last_error or "http_error"
    try:
        response = outgoing.post(app.request_url, body=body, headers=headers, timeout=TIMEOUT_SECONDS)
    except outgoing.OutgoingError as error:
        return Attempt(ok=False, reason=error.reason)
    if 200 <= response.status < 300:
        return Attempt(ok=True)
    no_retry = response.headers.get("x-slack-no-retry", "").strip() == "1"
    return Attempt(ok=False, reason="http_error", retry=not no_retry)


def _claim(delivery_id: int, now: datetime) -> EventDelivery | None:
    claimed = EventDelivery.objects.filter(
        pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE)
    if not claimed:
        return None
    return EventDelivery.objects.select_related("app__workspace", "app__bot_user", "app_event").get(pk=delivery_id)


def _finish(delivery: EventDelivery, state: str, now: datetime, reason: str = "") -> None:
    EventDelivery.objects.filter(pk=delivery.pk).update(
        state=state, finished_at=now, last_error=reason, attempts=delivery.attempts
    )


def _sendable(delivery: EventDelivery, now: datetime) -> bool:
    """False (and the delivery dropped) when the app is disabled or has nowhere to receive events."""
    app = delivery.app
    if app.disabled_at is None and app.request_url and app.request_url_disabled_at is None:
        return True
    _finish(delivery, DeliveryState.DROPPED, now, "app_disabled" if app.disabled_at else "no_request_url")
    return False


def _after_failure(delivery: EventDelivery, attempt: Attempt, now: datetime) -> str:
    """Record a failed attempt (delivery.attempts counts it already): FAILED, PENDING with a retry
    scheduled, or "again" when the next retry is due at once."""
    delivery.last_error = attempt.reason
    retries_done = delivery.attempts - 1
    if not attempt.retry or retries_done >= len(RETRY_DELAYS):
        _finish(delivery, DeliveryState.FAILED, now, attempt.reason)
        _count_failure(delivery.app, now)
        return DeliveryState.FAILED
    delay = RETRY_DELAYS[retries_done]
    if not delay:
        return "again"
    EventDelivery.objects.filter(pk=delivery.pk).update(
        attempts=delivery.attempts, last_error=attempt.reason, next_attempt_at=now + delay
    )
    return DeliveryState.PENDING


@transaction.atomic
def _delivered(deliveries: list[EventDelivery], now: datetime) -> None:
    commit_without_waiting_for_flush()  # lost with the database, they are sent again, with their event_ids
    by_attempts = Counter(delivery.attempts for delivery in deliveries)
    for attempts in by_attempts:
        EventDelivery.objects.filter(pk__in=[d.pk for d in deliveries if d.attempts == attempts]).update(
            state=DeliveryState.DELIVERED, finished_at=now, last_error="", attempts=attempts
        )
    App.objects.filter(pk__in={d.app_id for d in deliveries}, delivery_failures__gt=0).update(delivery_failures=0)


def deliver(delivery_id: int, *, now: datetime | None = None) -> str | None:
    """Send one pending delivery whose time has come; returns its state after, or None if it was not
    due (or another worker holds it). Tries once more at once after a first failure. A Socket Mode
    app's delivery is announced to its sockets instead (slack_apps.socket_mode), one of which sends it."""
    now = now or timezone.now()
    socket_app = (
        App.objects.filter(
            deliveries__pk=delivery_id, deliveries__state=DeliveryState.PENDING, deliveries__next_attempt_at__lte=now
        )
        .filter(socket_mode=True)
        .first()
    )
    if socket_app is not None:
        transport.group_message(
            transport.app_sockets_group(socket_app), {"type": "sm.deliver", "delivery": delivery_id}
        )
        return DeliveryState.PENDING
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    if not _sendable(delivery, now):
        return DeliveryState.DROPPED
    while True:
        attempt = _post(delivery.app, delivery, now)
        delivery.attempts += 1
        if attempt.ok:
            _delivered([delivery], now)
            return DeliveryState.DELIVERED
        state = _after_failure(delivery, attempt, now)
        if state != "again":
            return state


def send_batch(deliveries: list[EventDelivery], now: datetime) -> None:
    """The first sending of freshly dispatched deliveries (leased by dispatch), SENDERS POSTs at a time;
    a failure is retried at once, then scheduled, as deliver() does one by one.

    Needs each delivery's app (with workspace and bot_user) and app_event loaded."""
    global _senders
    if _senders is None:
        _senders = ThreadPoolExecutor(max_workers=SENDERS, thread_name_prefix="app-delivery")
    pending = [delivery for delivery in deliveries if _sendable(delivery, now)]
    delivered: list[EventDelivery] = []
    while pending:
        attempts = list(_senders.map(lambda delivery: _post(delivery.app, delivery, now), pending))
        again = []
        for delivery, attempt in zip(pending, attempts, strict=True):
            delivery.attempts += 1
            if attempt.ok:
                delivered.append(delivery)
            elif _after_failure(delivery, attempt, now) == "again":
                again.append(delivery)
        pending = again
    if delivered:
        _delivered(delivered, now)


def _count_failure(app: App, now: datetime) -> None:
    App.objects.filter(pk=app.pk).update(delivery_failures=F("delivery_failures") + 1)
    app.refresh_from_db(fields=["delivery_failures", "request_url_disabled_at"])
    if app.delivery_failures >= DELIVERY_FAILURES_TO_DISABLE and app.request_url_disabled_at is None:
        _switch_off_request_url(app, now)


@transaction.atomic
def _switch_off_request_url(app: App, now: datetime) -> None:
    switched = App.objects.filter(pk=app.pk, request_url_disabled_at__isnull=True).update(request_url_disabled_at=now)
    if switched:
        logger.warning("Events to app %s switched off after %s failed deliveries", app.public_id, app.delivery_failures)
        tell_admins_request_url_disabled(app)


def due_delivery_ids(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> list[int]:
    """Pending deliveries whose time has come (the periodic sweep sends these, or announces them to
    the app's sockets)."""
    now = now or timezone.now()
    return list(
        EventDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
