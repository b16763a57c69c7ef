"""Sending Events API envelopes to an app's request URL, signed and retried as Slack does.

A delivery is claimed (its next attempt pushed past a lease, so no other worker or sweep sends it
meanwhile), POSTed through slackclone.outgoing with Slack's signature over the exact bytes, and
then marked delivered, scheduled for its next retry, or failed. The retries follow Slack's
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

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3.0
# After the first attempt: a retry at once, then after a minute, then after five.
RETRY_DELAYS = (timedelta(0), timedelta(minutes=1), timedelta(minutes=5))
LEASE = timedelta(seconds=30)
DELIVERY_FAILURES_TO_DISABLE = 10
SWEEP_BATCH = 500


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
    return EventDelivery.objects.select_related("app__workspace", "app__bot_user").get(pk=delivery_id)


def _finish(delivery: EventDelivery, state: str, now: datetime, reason: str = "") -> None:
    EventDelivery.objects.filter(pk=delivery.pk).update(
        state=state, finished_at=now, last_error=reason, attempts=delivery.attempts
    )


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
    app = delivery.app
    if app.disabled_at is not None or not app.request_url or app.request_url_disabled_at is not None:
        _finish(delivery, DeliveryState.DROPPED, now, "app_disabled" if app.disabled_at else "no_request_url")
        return DeliveryState.DROPPED
    while True:
        attempt = _post(app, delivery, now)
        delivery.attempts += 1
        if attempt.ok:
            _finish(delivery, DeliveryState.DELIVERED, now)
            App.objects.filter(pk=app.pk, delivery_failures__gt=0).update(delivery_failures=0)
            return DeliveryState.DELIVERED
        delivery.last_error = attempt.reason
        retries_done = delivery.attempts - 1
        if not attempt.retry or retries_done >= len(RETRY_DELAYS):
            _finish(delivery, DeliveryState.FAILED, now, attempt.reason)
            _count_failure(app, now)
            return DeliveryState.FAILED
        delay = RETRY_DELAYS[retries_done]
        if delay:
            EventDelivery.objects.filter(pk=delivery.pk).update(
                attempts=delivery.attempts, last_error=attempt.reason, next_attempt_at=now + delay
            )
            return DeliveryState.PENDING


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
