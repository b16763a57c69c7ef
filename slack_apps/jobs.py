"""The outbox jobs of the app platform: thin adapters over slack_apps.interactions (outbox.registry)."""

from __future__ import annotations

from outbox.registry import job
from slack_apps import interactions
from slack_apps.models import App
from slackclone.celery import APPS_QUEUE


@job("slack_apps.send_interaction", queue=APPS_QUEUE, atomic=False)
def send_interaction(app_pk: int, payload: dict) -> None:
    """Send an app an interaction nobody waits for (view_closed), unless the app was disabled meanwhile."""
    app = App.objects.filter(pk=app_pk, disabled_at__isnull=True).select_related("workspace").first()
    if app is not None:
        interactions.interaction_send(app, payload)
