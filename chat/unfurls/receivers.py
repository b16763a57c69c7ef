"""Queues the server's previews of a new message's links, and of links an edit adds: an outbox job written
in the message's transaction (chat.jobs.preview_links).

Posting pays for two attribute reads and a substring test: the fetching, parsing and storing happen in the
task, off the request path.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from chat.models import Message
from chat.unfurls.links import added_links
from chat.unfurls.previews import LINKS_SCANNED
from outbox.services import job_enqueue


def on_message_posted(*, message: Message, unfurl_links: bool = True, unfurl_media: bool = True, **_: Any) -> None:
    if not (settings.LINK_PREVIEWS and unfurl_links and message.channel.workspace.link_previews):
        return
    if "://" not in message.text:
        return
    job_enqueue("chat.preview_links", message.pk, media=unfurl_media)


def on_message_edited(*, message: Message, previous_text: str = "", **_: Any) -> None:
    """An edit that adds links previews those (Slack unfurls a link an edit adds), not the ones it had."""
    if not (settings.LINK_PREVIEWS and message.channel.workspace.link_previews) or "://" not in message.text:
        return
    added = added_links(previous_text, message.text, limit=LINKS_SCANNED)
    if not added:
        return
    job_enqueue("chat.preview_links", message.pk, urls=added)


def connect() -> None:
    """Receive message_posted and message_edited (ChatConfig.ready)."""
    from chat import signals

    signals.message_posted.connect(on_message_posted, dispatch_uid="chat.unfurls.receivers.on_message_posted")
    signals.message_edited.connect(on_message_edited, dispatch_uid="chat.unfurls.receivers.on_message_edited")
