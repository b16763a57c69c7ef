"""Queues the server's previews of a new message's links for after its commit (chat.tasks.preview_links).

Posting pays for two attribute reads and a substring test: the fetching, parsing and storing happen in the
task, off the request path.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from chat.models import Message


def on_message_posted(*, message: Message, unfurl_links: bool = True, unfurl_media: bool = True, **_: Any) -> None:
    if not (settings.LINK_PREVIEWS and unfurl_links and message.channel.workspace.link_previews):
        return
    if "://" not in message.text:
        return
    message_id = message.pk

    def queue_preview() -> None:
        from chat.tasks import preview_links

        preview_links.delay(message_id, media=unfurl_media)

    transaction.on_commit(queue_preview, robust=True)


def connect() -> None:
    """Receive message_posted (ChatConfig.ready)."""
    from chat import signals

    signals.message_posted.connect(on_message_posted, dispatch_uid="chat.unfurls.receivers.on_message_posted")
