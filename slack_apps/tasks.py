"""Celery tasks of the app platform (queue `apps`): thin adapters over slack_apps.dispatch and delivery."""

from __future__ import annotations

from notifications.tasks import reliable_task
from slack_apps import delivery, dispatch
from slack_apps.commands import response_urls_forget_expired
from slack_apps.surfaces import views_forget_closed


@reliable_task
def dispatch_events(event_ids: list[int]) -> int:
    """Deliver these events to the apps that hear of them (queued after the commit that wrote them)."""
    return len(dispatch.dispatch(event_ids))


@reliable_task
def deliver_events(delivery_ids: list[int]) -> list[str | None]:
    """Send these deliveries again (their retry is due)."""
    return [delivery.deliver(delivery_id) for delivery_id in delivery_ids]


SWEEP_CHUNK = 20


@reliable_task
def deliver_due_events() -> int:
    """Beat's sweep: dispatch the events whose task was lost, queue every pending delivery whose time
    has come (retries, and any whose sending was lost), in small batches so the apps' workers share
    them; forget long-expired response_urls, long-closed modals and long-dispatched events."""
    undispatched = dispatch.undispatched_event_ids()
    for start in range(0, len(undispatched), SWEEP_CHUNK):
        dispatch_events.delay(undispatched[start : start + SWEEP_CHUNK])
    ids = delivery.due_delivery_ids()
    for start in range(0, len(ids), SWEEP_CHUNK):
        deliver_events.delay(ids[start : start + SWEEP_CHUNK])
    response_urls_forget_expired()
    views_forget_closed()
    dispatch.forget_old_events()
    return len(undispatched) + len(ids)
