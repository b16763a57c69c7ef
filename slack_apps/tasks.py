"""Celery tasks of the app platform (queue `apps`): thin adapters over slack_apps.delivery."""

from __future__ import annotations

from celery import shared_task

from notifications.tasks import RELIABLE
from slack_apps import delivery
from slack_apps.commands import response_urls_forget_expired


@shared_task(**RELIABLE)
def deliver_events(delivery_ids: list[int]) -> list[str | None]:
    """Send these deliveries (queued after the commit that wrote them)."""
    return [delivery.deliver(delivery_id) for delivery_id in delivery_ids]


SWEEP_CHUNK = 20


@shared_task(**RELIABLE)
def deliver_due_events() -> int:
    """Beat's sweep: queue every pending delivery whose time has come (retries, and any whose task was
    lost), in small batches so the apps' workers share them; forget long-expired response_urls."""
    ids = delivery.due_delivery_ids()
    response_urls_forget_expired()
    for start in range(0, len(ids), SWEEP_CHUNK):
        deliver_events.delay(ids[start : start + SWEEP_CHUNK])
    return len(ids)
