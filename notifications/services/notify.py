"""Notifying people of a new message: inbox rows, real-time alerts, and the missed-message email's batch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chat.models import Message
from chat.selectors import message_for_worker
from notifications import enqueue
from notifications.events import notification_event, send_notifications
from notifications.models import EMAIL_REASONS, NotificationReason
from notifications.presence import online_among
from notifications.rules import Candidate, channel_candidates, dnd_until, message_facts, notification_reason
from notifications.services import bulk
from notifications.services.push_delivery import PUSH_REASONS, push_recipients


@dataclass(frozen=True)
class Recipient:
    candidate: Candidate
    reason: NotificationReason
    online: bool | None  # None: presence unknown (the embedded default); treated as away for email
    dnd_until: datetime | None

    @property
    def email_wanted(self) -> bool:
        return self.reason in EMAIL_REASONS and self.candidate.email_notifications and not self.online


@dataclass(frozen=True)
class NotifyOutcome:
    recipients: int
    pushed: int
    email_due_at: datetime | None
    web_push: int = 0  # people whose devices get a desktop notification (notifications.services.push_delivery)


NOTHING = NotifyOutcome(0, 0, None)


def notify_message_posted(*, message_id: int, now: datetime | None = None) -> NotifyOutcome:
    """Notify everyone the rules (notifications.rules) say should hear of this message.

    Writes one Notification per recipient (unique per message and person, so running twice
    writes nothing twice); sends a `notification` event to recipients online now (silent,
    `alert: false`, during their do-not-disturb hours); and opens a missed-message email batch
    for recipients who are away with email on, due NOTIFY_EMAIL_DELAY_SECONDS from now, or
    when their do-not-disturb hours end if later.
    Callers: notifications.jobs.notify_message (an outbox job written by message_post); tests; benchmarks.
    Raises: nothing for a message that is gone or deleted (nobody is notified).
    and queues the desktop notifications (Web Push) of the people who have them on.
    Events: notification (to each online recipient's own sockets).
    """
    now = now or timezone.now()
    message = _live_message(message_id)
    if message is None:
        return NOTHING
    return _notify(message, _recipients(message, now), now)


def notify_message_edited(*, message_id: int, user_ids: list[int], now: datetime | None = None) -> NotifyOutcome:
    """Notify the people an edit newly mentions, as the rules would have had the mention been there at first.

    Only these people: the others heard of the message when it was posted, or were not to. A person
    already notified of the message (a thread follower now mentioned) is not notified twice.
    Callers: notifications.jobs.notify_mentioned_by_edit (an outbox job written by message_edit's
    transaction). Raises nothing for a message deleted meanwhile. Events: notification, as for a post.
    """
    now = now or timezone.now()
    message = _live_message(message_id)
    if message is None:
        return NOTHING
    wanted = set(user_ids)
    return _notify(message, [r for r in _recipients(message, now) if r.candidate.user_id in wanted], now)


def _live_message(message_id: int) -> Message | None:
    message = message_for_worker(pk=message_id)
    return None if message is None or message.is_deleted else message


def _notify(message: Message, recipients: list[Recipient], now: datetime) -> NotifyOutcome:
    if not recipients:
        return NOTHING
    with transaction.atomic():
        _write_notifications(message, recipients, now)
        pushed = _push(message, recipients, now)
        email_due_at = _open_email_batches(message, recipients, now)
        web_push = _queue_web_push(message, recipients)
    return NotifyOutcome(len(recipients), pushed, email_due_at, web_push)


def _recipients(message: Message, now: datetime) -> list[Recipient]:
    facts = message_facts(message)
    candidates = channel_candidates(message, facts)
    # @here needs everyone's presence; otherwise only the recipients' (for alerts and email).
    online = online_among(c.public_id for c in candidates) if facts.here else None
    chosen = [(c, reason) for c in candidates if (reason := notification_reason(c, facts, online=online))]
    if not facts.here and chosen:
        online = online_among(c.public_id for c, _ in chosen)
    return [
        Recipient(
            candidate=c,
            reason=reason,
            online=None if online is None else c.public_id in online,
            dnd_until=dnd_until(timezone_name=c.timezone, start=c.dnd_start, end=c.dnd_end, now=now),
        )
        for c, reason in chosen
    ]


def _write_notifications(message: Message, recipients: list[Recipient], now: datetime) -> None:
    bulk.insert_notifications(
        message=message,
        people=[(r.candidate.user_id, r.reason.value, r.email_wanted) for r in recipients],
        now=now,
    )


def _push(message: Message, recipients: list[Recipient], now: datetime) -> int:
    """Real-time events to online recipients not yet told: a rerun (or a concurrent duplicate) sends none twice.

    With presence unknown (the embedded default) everyone is sent one: their sockets, if any,
    are in this very process.
    """
    targets = {r.candidate.user_id: r for r in recipients if r.online is not False}
    if not targets:
        return 0
    fresh = bulk.mark_pushed(message_id=message.pk, user_ids=list(targets), now=now)
    send_notifications(
        [
            (
                targets[user_id].candidate.public_id,
                notification_event(message, targets[user_id].reason, alert=targets[user_id].dnd_until is None),
            )
            for user_id in fresh
        ]
    )
    return len(fresh)


def _queue_web_push(message: Message, recipients: list[Recipient]) -> int:
    """A desktop notification for DMs, mentions and thread replies, outside do-not-disturb hours, to people with
    a device that takes them; sent by a task after the commit, which checks again that each is still unread."""
    wanted = [r.candidate.user_id for r in recipients if r.reason in PUSH_REASONS and r.dnd_until is None]
    people = push_recipients(wanted)
    if people:
        enqueue.send_web_push_after_commit(message.pk, people)
    return len(people)


def _open_email_batches(message: Message, recipients: list[Recipient], now: datetime) -> datetime | None:
    """Open a pending email for each away recipient who has none; a pending one already covers the rest."""
    delay = timedelta(seconds=settings.NOTIFY_EMAIL_DELAY_SECONDS)
    due = [(r.candidate.user_id, max(now + delay, r.dnd_until or now)) for r in recipients if r.email_wanted]
    if not due:
        return None
    bulk.open_email_batches(workspace_id=message.channel.workspace_id, people=due, now=now)
    first_due = min(due_at for _, due_at in due)
    enqueue.send_due_emails_at(first_due)
    return first_due
