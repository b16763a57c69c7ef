"""Desktop notifications by Web Push: a DM, a mention or a reply in a thread one is in, sent to each of the
person's devices that has them on, even with every tab closed.

notify_message_posted picks the people (notifications.rules, as for every other way of being told) and
queues one task per message, WEBPUSH_DELAY_SECONDS later; the task asks again at send time whether each
person has read the message meanwhile, on any device (the notification marked read, or the channel's read
marker past it), and sends nothing to those who have. A push service that has forgotten a subscription
(404, 410) gets it deleted; any other failure is counted on the subscription and logged when it starts,
and a subscription that fails MAX_FAILURES times in a row is deleted too. A second run of the task sends
again, and the browser shows it in place of the first (the same tag).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from chat.links import message_permalink
from chat.markup import to_plain_text
from chat.models import ChannelKind, ChannelMember, Message
from chat.selectors import message_for_worker
from notifications import webpush
from notifications.emails import message_names
from notifications.models import Notification, NotificationReason, PushSubscription

logger = logging.getLogger(__name__)

PUSH_REASONS = frozenset({NotificationReason.MENTION, NotificationReason.DM, NotificationReason.THREAD})
BODY_CHARS = 140
MAX_FAILURES = 10


@dataclass(frozen=True)
class PushOutcome:
    sent: int = 0
    already_read: int = 0
    removed: int = 0
    failed: int = 0


def push_recipients(user_ids: Iterable[int]) -> list[int]:
    """Those of these people with at least one device that takes desktop notifications."""
    ids = list(user_ids)
    if not ids:
        return []
    rows = PushSubscription.objects.filter(user_id__in=ids, enabled=True).values_list("user_id", flat=True)
    return sorted(set(rows))


def _unread(message: Message, user_ids: list[int]) -> list[Notification]:
    """The people's notifications of the message that are still unread now, in a channel they are still in,
    for those whose account is still active."""
    last_read = ChannelMember.objects.filter(channel_id=message.channel_id, user=OuterRef("user")).values(
        "last_read_seq"
    )[:1]
    rows = (
        Notification.objects.filter(message=message, user_id__in=user_ids, read_at__isnull=True, user__is_active=True)
        .annotate(last_read_seq=Subquery(last_read))
        .filter(last_read_seq__lt=F("seq"))
        .select_related("user")
    )
    return list(rows)


def push_deliver(*, message_id: int, user_ids: list[int], now: datetime | None = None) -> PushOutcome:
    """Send the message's desktop notification to each enabled device of these people who have not read it.

    Callers: notifications.jobs.send_web_push (an outbox job). Raises nothing for a failed push: it is counted.
    """
    now = now or timezone.now()
    message = message_for_worker(pk=message_id)
    if message is None or message.is_deleted:
        return PushOutcome()
    unread = _unread(message, user_ids)
    subscriptions: dict[int, list[PushSubscription]] = {}
    for subscription in PushSubscription.objects.filter(user_id__in=[n.user_id for n in unread], enabled=True):
        subscriptions.setdefault(subscription.user_id, []).append(subscription)
    sent = removed = failed = 0
    for notification in unread:
        payload = push_payload(message, notification)
        for subscription in subscriptions.get(notification.user_id, []):
            outcome = _send_one(subscription, payload, now)
            sent += outcome == "sent"
            removed += outcome == "removed"
            failed += outcome == "failed"
    return PushOutcome(sent=sent, already_read=len(set(user_ids)) - len(unread), removed=removed, failed=failed)


def _send_one(subscription: PushSubscription, payload: dict[str, Any], now: datetime) -> str:
    answer = webpush.send(
        endpoint=subscription.endpoint, p256dh=subscription.p256dh, auth=subscription.auth, payload=payload
    )
    rows = PushSubscription.objects.filter(pk=subscription.pk)
    if answer.delivered:
        rows.update(last_success_at=now, failure_count=0, last_failure="")
        return "sent"
    if answer.gone or subscription.failure_count + 1 >= MAX_FAILURES:
        rows.delete()
        return "removed"
    if subscription.failure_count == 0:  # once, when it starts failing; the count says how long it has
        logger.warning("web push to subscription %s failed (%s)", subscription.public_id, answer.reason)
    rows.update(failure_count=F("failure_count") + 1, last_failure=answer.reason[:64])
    return "failed"


def push_payload(message: Message, notification: Notification) -> dict[str, Any]:
    """What the service worker shows: a title, a short plain text, and the message's address on this site."""
    notification.message, notification.channel = message, message.channel  # already loaded, with the workspace
    recipient = notification.user
    workspace = message.channel.workspace
    names = message_names([notification], recipient, workspace)
    author = names.get(message.author.public_id) or message.author.name
    channel = message.channel
    if channel.kind == ChannelKind.DM:
        title = author
    elif channel.kind == ChannelKind.GROUP_DM:
        title = f"{author} (group message)"
    else:
        title = f"{author} in #{channel.name}"
    text = " ".join(to_plain_text(message.text, names).split())
    if len(text) > BODY_CHARS:
        text = text[: BODY_CHARS - 1].rstrip() + "…"
    link = urlsplit(message_permalink(message))
    return {
        "title": title[:120],
        "body": text,
        "url": link.path + (f"?{link.query}" if link.query else ""),
        "tag": f"{channel.public_id}:{message.ts}",
        "workspace": workspace.public_id,
        "channel": channel.public_id,
        "ts": message.ts,
        "reason": notification.reason,
    }
