"""Queues the server's previews of a new message's links, and of links an edit adds, for after the commit
(chat.tasks.preview_links).

Posting pays for two attribute reads and a substring test: the fetching, parsing and storing happen in the
task, off the request path.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from chat.models import Message
from chat.unfurls.links import added_links
from chat.unfurls.previews import LINKS_SCANNED


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


def on_message_edited(*, message: Message, previous_text: str = "", **_: Any) -> None:
    """An edit that adds links previews those (Slack unfurls a link an edit adds), not the ones it had."""
    if not (settings.LINK_PREVIEWS and message.channel.workspace.link_previews) or "://" not in message.text:
        return
    added = added_links(previous_text, message.text, limit=LINKS_SCANNED)
    if not added:
        return
    message_id = message.pk

    def queue_preview() -> None:
        from chat.tasks import preview_links

        preview_links.delay(message_id, urls=added)

    transaction.on_commit(queue_preview, robust=True)


def connect() -> None:
    """Receive message_posted and message_edited (ChatConfig.ready)."""
    from chat import signals

    signals.message_posted.connect(on_message_posted, dispatch_uid="chat.unfurls.receivers.on_message_posted")
    signals.message_edited.connect(on_message_edited, dispatch_uid="chat.unfurls.receivers.on_message_edited")
