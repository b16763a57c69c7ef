"""Scheduled messages ("send later"): create, edit and cancel while pending; delivered once, on time.

Delivery is a row state machine (pending -> sent / failed, or cancelled by the author): the
delivering transaction locks the row with SELECT ... FOR UPDATE SKIP LOCKED, posts through
chat.services.message_post and marks the row sent before it commits. Two workers, an eta task
and the beat sweep racing for the same row cannot both post: the loser skips the locked row,
or finds it no longer pending. A worker that dies mid-delivery rolls everything back, and the
row is delivered by the next attempt. The message's client_msg_id is derived from the row's id,
so even a second post would return the first message.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chat.models import Channel, Message
from chat.permissions import access_channel_member, check_not_archived
from chat.services import message_post
from chat.text import check_message_text
from notifications import enqueue
from notifications.models import DeliveryState, ScheduledMessage
from slackclone.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from accounts.models import User

MAX_AHEAD = timedelta(days=120)  # as far ahead as Slack lets you schedule


def eta_horizon() -> timedelta:
    """Deliveries this close get an eta task at once; later ones are queued by the beat sweep as they near.

    Kept well inside the broker's visibility timeout, past which Redis would hand an eta task
    waiting in a worker's memory to another worker.
    """
    return timedelta(seconds=min(3600, settings.CELERY_VISIBILITY_TIMEOUT // 2))


def check_send_time(value: datetime | None, *, now: datetime, field: str) -> datetime:
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise DomainError(
            ErrorCode.INVALID_TIME, "The time needs a date, a time and a time zone.", fields={field: "invalid"}
        )
    if value <= now:
        raise DomainError(ErrorCode.TIME_IN_PAST, "That time has already passed.", fields={field: "in_past"})
    if value > now + MAX_AHEAD:
        raise DomainError(
            ErrorCode.TIME_TOO_FAR,
            "Schedule at most %(days)s days ahead.",
            fields={field: "too_far"},
            params={"days": MAX_AHEAD.days},
        )
    return value


def _check_thread(channel: Channel, thread_ts: str | None) -> str:
    if not thread_ts:
        return ""
    if not Message.objects.filter(channel=channel, ts=thread_ts, deleted_at__isnull=True).exists():
        raise DomainError(ErrorCode.THREAD_NOT_FOUND, "The thread's first message was not found.")
    return thread_ts


def _queue_delivery(scheduled: ScheduledMessage, now: datetime) -> None:
    if scheduled.post_at - now <= eta_horizon():
        enqueue.deliver_scheduled_message_at(scheduled.pk, scheduled.post_at)


@transaction.atomic
def scheduled_message_create(
    *,
    actor: User,
    channel: Channel,
    text: str,
    post_at: datetime,
    thread_ts: str | None = None,
    reply_broadcast: bool = False,
    now: datetime | None = None,
) -> ScheduledMessage:
    """Schedule a message to be posted by the actor at `post_at`.

    Callers: members of the channel (the same people message_post accepts).
    Raises: no_text, msg_too_long, invalid_time, time_in_past, time_too_far, channel_not_found,
    not_in_channel, is_archived, thread_not_found. Posting later can still fail (the author left
    the channel, it was archived): the row then says failed, with the error code.
    """
    now = now or timezone.now()
    text = check_message_text(text)
    access_channel_member(actor, channel)
    check_not_archived(channel)
    post_at = check_send_time(post_at, now=now, field="post_at")
    scheduled = ScheduledMessage.objects.create(
        workspace_id=channel.workspace_id,
        channel=channel,
        author=actor,
        text=text,
        thread_ts=_check_thread(channel, thread_ts),
        reply_broadcast=bool(thread_ts and reply_broadcast),
        post_at=post_at,
        created_at=now,
        updated_at=now,
    )
    _queue_delivery(scheduled, now)
    return scheduled


def _lock_pending(actor: User | None, scheduled: ScheduledMessage) -> ScheduledMessage:
    rows = ScheduledMessage.objects.select_for_update().filter(pk=scheduled.pk)
    locked = (rows if actor is None else rows.filter(author=actor)).first()
    if locked is None or locked.state != DeliveryState.PENDING:
        raise DomainError(ErrorCode.SCHEDULED_MESSAGE_NOT_FOUND, "That message is no longer scheduled.")
    return locked


@transaction.atomic
def scheduled_message_edit(
    *,
    actor: User,
    scheduled: ScheduledMessage,
    text: str | None = None,
    post_at: datetime | None = None,
    now: datetime | None = None,
) -> ScheduledMessage:
    """Change the text or the time of a message that has not been posted yet.

    Callers: its author. Raises: invalid_scheduled_message_id (not theirs, already posted or
    cancelled), no_text, msg_too_long, invalid_time, time_in_past, time_too_far.
    """
    now = now or timezone.now()
    locked = _lock_pending(actor, scheduled)
    if text is not None:
        locked.text = check_message_text(text)
    if post_at is not None:
        locked.post_at = check_send_time(post_at, now=now, field="post_at")
    locked.updated_at = now
    locked.save(update_fields=["text", "post_at", "updated_at"])
    if post_at is not None:
        _queue_delivery(locked, now)  # an eta task for the old time finds it not yet due, and does nothing
    return locked


@transaction.atomic
def scheduled_message_cancel(*, actor: User | None, scheduled: ScheduledMessage, now: datetime | None = None) -> None:
    """Cancel a message before it is posted.

    Callers: its author; the operator (actor None: the admin).
    Raises: invalid_scheduled_message_id (not theirs, already posted or cancelled).
    """
    locked = _lock_pending(actor, scheduled)
    locked.state, locked.updated_at = DeliveryState.CANCELLED, now or timezone.now()
    locked.save(update_fields=["state", "updated_at"])


def scheduled_message_deliver(*, scheduled_id: int, now: datetime | None = None) -> ScheduledMessage | None:
    """Post a due scheduled message through message_post, exactly once.

    Returns the row as left (sent, or failed with the service's error code), or None when there
    is nothing to do: not due yet, not pending any more, or another worker is delivering it.
    Callers: notifications.tasks (the eta task and the beat sweep).
    Events: those of message_post.
    """
    now = now or timezone.now()
    with transaction.atomic():
        scheduled = (
            ScheduledMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("author", "channel__workspace")
            .filter(pk=scheduled_id, state=DeliveryState.PENDING, post_at__lte=now)
            .first()
        )
        if scheduled is None:
            return None
        try:
            with transaction.atomic():
                message = message_post(
                    sender=scheduled.author,
                    channel=scheduled.channel,
                    text=scheduled.text,
                    thread_ts=scheduled.thread_ts or None,
                    client_msg_id=scheduled.client_msg_id,
                    reply_broadcast=scheduled.reply_broadcast,
                )
        except DomainError as error:
            scheduled.state, scheduled.error_code = DeliveryState.FAILED, error.code.value
            scheduled.save(update_fields=["state", "error_code"])
            return scheduled
        scheduled.state, scheduled.message, scheduled.sent_at = DeliveryState.SENT, message, now
        scheduled.save(update_fields=["state", "message", "sent_at"])
    return scheduled
