"""Links to chat objects, in Slack's shapes, for email and the Web API."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings

from chat.models import Message


def message_permalink(message: Message) -> str:
    """Slack's permalink shape: /<workspace>/archives/<channel>/p<ts digits>, with the thread for a reply."""
    channel = message.channel
    url = f"{settings.SITE_URL}/{channel.workspace.slug}/archives/{channel.public_id}/p{message.ts.replace('.', '')}"
    if message.thread_root is not None:
        url += "?" + urlencode({"thread_ts": message.thread_root.ts, "cid": channel.public_id})
    return url
