"""Celery tasks of chat: thin adapters that call a service by id (queue `apps`, with the other outgoing HTTP)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from chat.unfurls.previews import preview_message


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=3,
)
def preview_links(message_id: int, media: bool = True, urls: list[str] | None = None) -> bool:
    """Add the server's previews of a message's links (`urls`: only those, the ones an edit added);
    idempotent: a link shown once is skipped."""
    return preview_message(message_id, media=media, urls=urls) is not None
