"""Missed-message emails: claiming the batches that are due, and sending each one at most once.

A batch (MissedMessageEmail) moves pending -> queued -> sent or skipped. The sweep claims due
batches with SKIP LOCKED, so two sweeps never claim the same one; sending locks the batch row
for the whole send, so two copies of the send task never send twice, and a batch already sent
or skipped is left alone. Each notification records the email that included it, so no message
is emailed twice. The one window left: a worker that dies after the SMTP server accepted the
email but before the commit sends it again on redelivery, with the same Message-ID.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Greatest
from django.utils import timezone

from chat.models import ChannelMember
from notifications import enqueue
from notifications.emails import build_missed_message_email
from notifications.models import EmailState, MissedMessageEmail, Notification
from notifications.rules import dnd_until
from workspaces.models import Membership

logger = logging.getLogger(__name__)

CLAIM_BATCH = 500
# A queued batch whose send task has not finished within this long is queued again (its task was lost).
STALE_QUEUED = timedelta(minutes=15)


def missed_emails_claim_due(*, now: datetime | None = None, limit: int = CLAIM_BATCH) -> list[int]:
    """Mark due batches queued and queue a send task for each; returns their ids.

    Callers: notifications.tasks.send_due_emails (beat, and an eta task after each message).
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = Q(state=EmailState.PENDING, due_at__lte=now) | Q(
            state=EmailState.QUEUED, queued_at__lt=now - STALE_QUEUED
        )
        ids = list(
            MissedMessageEmail.objects.select_for_update(skip_locked=True)
            .filter(due)
            .order_by("due_at")
            .values_list("id", flat=True)[:limit]
        )
        MissedMessageEmail.objects.filter(id__in=ids).update(state=EmailState.QUEUED, queued_at=now)
        enqueue.send_missed_message_emails(ids)
    return ids


def _still_unread(batch: MissedMessageEmail) -> list[Notification]:
    """The batch's person's notifications in its workspace that should be emailed now, oldest first.

    Those read meanwhile (marked read, or the channel read past them), deleted, or in a channel
    they have left stop wanting an email, so no later batch looks at them again.
    """
    last_read = ChannelMember.objects.filter(channel=OuterRef("channel"), user=OuterRef("user")).values(
        "last_read_seq"
    )[:1]
    candidates = list(
        Notification.objects.filter(
            user_id=batch.user_id,
            workspace_id=batch.workspace_id,
            email_wanted=True,
            email__isnull=True,
            read_at__isnull=True,
        )
        .annotate(last_read_seq=Subquery(last_read))
        .select_related("channel", "message__author", "message__thread_root", "message__channel__workspace")
        .order_by("created_at", "id")
    )
    unread: list[Notification] = [
        n for n in candidates if n.last_read_seq is not None and n.last_read_seq < n.seq and not n.message.is_deleted
    ]
    kept = {n.pk for n in unread}
    settled = [n.pk for n in candidates if n.pk not in kept]
    if settled:
        Notification.objects.filter(pk__in=settled).update(email_wanted=False)
    return unread


def _defer_for_dnd(batch: MissedMessageEmail, until: datetime) -> None:
    """Wait until do-not-disturb ends; if a newer batch is already pending, that one carries everything."""
    try:
        with transaction.atomic():
            batch.state, batch.due_at, batch.queued_at = EmailState.PENDING, until, None
            batch.save(update_fields=["state", "due_at", "queued_at"])
    except IntegrityError:
        batch.state = EmailState.SKIPPED
        batch.save(update_fields=["state"])
        MissedMessageEmail.objects.filter(
            user_id=batch.user_id, workspace_id=batch.workspace_id, state=EmailState.PENDING
        ).update(due_at=Greatest("due_at", until))


def _wants_email(batch: MissedMessageEmail) -> bool:
    user = batch.user
    if not (user.is_active and user.email_notifications and user.email):
        return False
    return Membership.objects.filter(user=user, workspace_id=batch.workspace_id, is_active=True).exists()


def missed_email_send(*, email_id: int, now: datetime | None = None) -> MissedMessageEmail | None:
    """Send one missed-message email summarising everything still unread, or skip it if nothing is.

    Returns the batch as left, or None when there was nothing to do (already sent or skipped,
    or another worker is sending it). Email sending failures raise (the task retries; the
    batch stays queued and nothing is marked emailed).
    Callers: notifications.tasks.send_missed_message_email.
    """
    now = now or timezone.now()
    with transaction.atomic():
        batch = (
            MissedMessageEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user", "workspace")
            .filter(pk=email_id, state__in=[EmailState.PENDING, EmailState.QUEUED])
            .first()
        )
        if batch is None:
            return None
        user = batch.user
        if not _wants_email(batch):
            # Email turned off (or the person left): nothing outstanding for them wants one any more.
            Notification.objects.filter(
                user_id=batch.user_id, workspace_id=batch.workspace_id, email_wanted=True, email__isnull=True
            ).update(email_wanted=False)
            batch.state = EmailState.SKIPPED
            batch.save(update_fields=["state"])
            return batch
        until = dnd_until(timezone_name=user.timezone, start=user.dnd_start, end=user.dnd_end, now=now)
        if until is not None:
            _defer_for_dnd(batch, until)
            return batch
        unread = _still_unread(batch)
        if not unread:
            batch.state = EmailState.SKIPPED
            batch.save(update_fields=["state"])
            return batch
        Notification.objects.filter(pk__in=[n.pk for n in unread]).update(email=batch)
        build_missed_message_email(batch, unread).send()
        batch.state, batch.sent_at, batch.message_count = EmailState.SENT, now, len(unread)
        batch.save(update_fields=["state", "sent_at", "message_count"])
    logger.info("Sent a missed-message email about %d messages to user %s", len(unread), user.public_id)
    return batch
