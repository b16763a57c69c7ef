"""Retention: a workspace's retention_days deletes older messages, their files and everything on them.

This is the one place that deletes history rows outright. Everywhere else a deletion is a
person's action and leaves a tombstone that keeps the message's seq, so clients can replay it;
retention is the workspace's policy, and its point is that the content is gone from the
database and the disk. What it removed is recorded in RetentionRun, the audit log.

Deletion runs in batches (RETENTION_BATCH_SIZE messages per transaction), never one huge
DELETE: each batch holds its locks briefly, and a run that stops half-way has committed whole
batches, which the next run simply continues. Batches are claimed with SKIP LOCKED, so two runs
at once share the work instead of colliding.

What stays: pinned messages when the workspace keeps pins; and a thread's first message while
its thread has a reply that stays (newer than the cutoff, or pinned), since deleting a root
deletes its replies. Deleted replies are taken off their root's reply count.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from chat import events
from chat.models import Attachment, Message
from notifications.models import RetentionRun
from workspaces.models import Workspace

logger = logging.getLogger(__name__)

RETENTION_BATCH_SIZE = 1000


def _kept_reply(cutoff: datetime, keeps_pins: bool) -> Q:
    kept = Q(created_at__gte=cutoff)
    if keeps_pins:
        kept |= Q(pin__isnull=False)
    return kept


def _expired(workspace: Workspace, cutoff: datetime, keeps_pins: bool) -> QuerySet[Message]:
    """The workspace's messages that retention deletes now."""
    messages = Message.objects.filter(channel__workspace=workspace, created_at__lt=cutoff)
    if keeps_pins:
        messages = messages.filter(pin__isnull=True)
    replies_that_stay = Message.objects.filter(thread_root=OuterRef("pk")).filter(_kept_reply(cutoff, keeps_pins))
    return messages.exclude(Exists(replies_that_stay))


def _delete_files(paths: list[tuple[str, str]]) -> int:
    """Remove deleted attachments' files (and thumbnails) from storage, after the rows are gone."""
    from django.core.files.storage import default_storage

    removed = 0
    for file_name, thumbnail_name in paths:
        for name in (file_name, thumbnail_name):
            if not name:
                continue
            try:
                default_storage.delete(name)
            except OSError:
                logger.warning("Retention could not remove the file %s; its row is gone", name)
        removed += 1
    return removed


def _recount_threads(root_ids: set[int]) -> None:
    """Roots that lost replies: their reply count and latest reply, from the replies that remain."""
    if not root_ids:
        return
    live = Message.objects.filter(thread_root=OuterRef("pk"), deleted_at__isnull=True)
    Message.objects.filter(pk__in=root_ids).update(
        reply_count=Coalesce(Subquery(live.values("thread_root").annotate(n=Count("id")).values("n")[:1]), Value(0)),
        latest_reply_ts=Coalesce(Subquery(live.order_by("-seq").values("ts")[:1]), Value("")),
    )


def _delete_batch(workspace: Workspace, cutoff: datetime, keeps_pins: bool, batch_size: int) -> tuple[int, int]:
    """One transaction: up to batch_size expired messages with everything on them. Returns (messages, files)."""
    with transaction.atomic():
        batch = list(
            _expired(workspace, cutoff, keeps_pins)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("id")
            .values_list("id", "thread_root_id")[:batch_size]
        )
        if not batch:
            return 0, 0
        ids = [message_id for message_id, _ in batch]
        files = list(Attachment.objects.filter(message_id__in=ids).values_list("file", "thumbnail"))
        going = list(Message.objects.filter(id__in=ids).select_related("channel__workspace", "thread_root"))
        _, per_model = Message.objects.filter(id__in=ids).delete()
        _recount_threads({root for _, root in batch if root} - set(ids))
        for message in going:  # open clients drop them now (published after the commit)
            events.send_message_deleted(message)
        transaction.on_commit(lambda: _delete_files(files), robust=True)
    return per_model.get("chat.Message", 0), len(files)


def retention_apply(
    *, workspace: Workspace, now: datetime | None = None, batch_size: int = RETENTION_BATCH_SIZE
) -> RetentionRun | None:
    """Delete the workspace's messages older than its retention_days, in batches, and record the run.

    Returns the audit row, or None when the workspace keeps everything (no retention_days).
    Callers: notifications.tasks.apply_retention (beat); the run_periodic command.
    Events: message_deleted for each message, to its channel's open sockets, after each batch commits. A
    client that was away drops them when it next loads history (resume has nothing to replay).
    A run that deleted something is recorded in the audit log too (RETENTION_RUN); an hourly run that found
    nothing is not, so the log keeps to what changed.
    """
    if not workspace.retention_days:
        return None
    now = now or timezone.now()
    cutoff = now - timedelta(days=workspace.retention_days)
    keeps_pins = workspace.retention_keeps_pins
    run = RetentionRun.objects.create(
        workspace=workspace,
        workspace_public_id=workspace.public_id,
        workspace_name=workspace.name,
        retention_days=workspace.retention_days,
        keeps_pins=keeps_pins,
        cutoff=cutoff,
        started_at=now,
    )
    while True:
        deleted, files = _delete_batch(workspace, cutoff, keeps_pins, batch_size)
        if not deleted:
            break
        run.batches += 1
        run.messages_deleted += deleted
        run.files_deleted += files
        run.save(update_fields=["batches", "messages_deleted", "files_deleted"])
    old = Message.objects.filter(channel__workspace=workspace, created_at__lt=cutoff)
    run.pinned_kept = old.filter(pin__isnull=False).count() if keeps_pins else 0
    run.threads_kept = old.filter(pin__isnull=True, replies__isnull=False).distinct().count()
    run.finished_at = timezone.now()
    run.save(update_fields=["pinned_kept", "threads_kept", "finished_at"])
    if run.messages_deleted:
        _record_run(run)
    return run


def _record_run(run: RetentionRun) -> None:
    audit_record(
        action=AuditAction.RETENTION_RUN,
        workspace=run.workspace,
        target=run.workspace,
        target_label=run.workspace_name,
        data={
            "what": "messages",
            "retention_days": run.retention_days,
            "cutoff": run.cutoff.isoformat(),
            "messages_deleted": run.messages_deleted,
            "files_deleted": run.files_deleted,
        },
    )


def retention_apply_all(*, now: datetime | None = None) -> list[RetentionRun]:
    """Apply retention to every workspace that has a retention period."""
    runs = []
    for workspace in Workspace.objects.filter(retention_days__isnull=False).order_by("pk"):
        run = retention_apply(workspace=workspace, now=now)
        if run is not None:
            runs.append(run)
    return runs
