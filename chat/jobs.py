"""The outbox jobs of chat: thin adapters that call a service by id (queue `apps`, with the other outgoing HTTP)."""

from __future__ import annotations

from chat.unfurls.previews import preview_message
from outbox.registry import job
from slackclone.celery import APPS_QUEUE


@job("chat.preview_links", queue=APPS_QUEUE, atomic=False)
def preview_links(message_id: int, media: bool = True, urls: list[str] | None = None) -> None:
    """Add the server's previews of a message's links (`urls`: only those, the ones an edit added);
    idempotent: a link shown once is skipped."""
    preview_message(message_id, media=media, urls=urls)
