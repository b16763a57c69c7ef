"""The outbox's write path: enqueue a job in the caller's transaction, relay due rows, run a job, prune.

Callers: the services of every app (job_enqueue, inside their own transaction); the relay
(`manage.py outbox_relay`, `run_periodic`); the workers (outbox.tasks.run_jobs); beat (jobs_prune);
operators (job_retry, from the Django admin). Nothing here takes an acting person: a job is work the
system owes, already permitted by the service that caused it.
"""

from __future__ import annotations

import inspect
import logging
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from outbox.models import OPEN_STATES, JobState, OutboxJob
from outbox.registry import TRANSIENT_ERRORS, Job, job_named
from slackclone.db_unavailable import database_outage
from slackclone.logs import REQUEST_ID
from slackclone.rawsql import Columns
from slackclone.transactions import commit_without_waiting_for_flush

logger = logging.getLogger(__name__)

MAX_ERROR_CHARS = 2000
RELAY_TASK_SIZE = 20


def lease_after(attempts: int) -> timedelta:
    """How long a handed-over job may take before the relay hands it over again: doubling, at most an hour."""
    return timedelta(seconds=min(settings.OUTBOX_LEASE_SECONDS * 2 ** max(attempts - 1, 0), 3600))


def job_enqueue(
    name: str,
    *args: Any,
    due_at: datetime | None = None,
    now: datetime | None = None,
    **kwargs: Any,
) -> OutboxJob:
    """Write the job `name` in the current transaction; after the commit this process hands it to Celery.

    A job due later than OUTBOX_FAST_PATH_SECONDS from now is left to the relay, which hands it over when
    due. Raises ValueError for a job no app registered and TypeError for arguments its handler does not
    take: both are mistakes in the calling code, caught before anything is written.
    """
    registered = job_named(name)
    if registered is None:
        raise ValueError(f"No outbox job named {name!r} is registered")
    registered.bind(list(args), kwargs)
    now = now or timezone.now()
    due_at = max(due_at or now, now)
    job = OutboxJob.objects.create(
        name=name,
        args=list(args),
        kwargs=kwargs,
        queue=registered.queue,
        due_at=due_at,
        relay_at=due_at + timedelta(seconds=settings.OUTBOX_FAST_PATH_GRACE_SECONDS),
        created_at=now,
        request_id=REQUEST_ID.get() or "",
    )
    if due_at - now <= timedelta(seconds=settings.OUTBOX_FAST_PATH_SECONDS):
        transaction.on_commit(lambda: _hand_over_committed(job), robust=True)
    return job


def _hand_over_committed(job: OutboxJob) -> None:
    """The fast path: the job's own process gives it to Celery.

    A broker that is down leaves the row pending; the relay hands it over at its relay_at."""
    try:
        _publish([job.pk], job.queue, job.due_at)
    except Exception as error:  # kombu wraps every broker failure in its own errors
        logger.warning(
            "The broker refused outbox job %s (%s); the relay hands it over at %s", job.pk, error, job.relay_at
        )


def _publish(job_ids: list[int], queue: str, due_at: datetime) -> None:
    from outbox.tasks import run_jobs

    if due_at > timezone.now():
        run_jobs.apply_async((job_ids,), queue=queue, routing_key=queue, eta=due_at)
    else:
        run_jobs.apply_async((job_ids,), queue=queue, routing_key=queue)


def jobs_relay_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Hand to Celery up to `limit` open jobs whose relay time has come; returns how many went.

    Each is marked sent, with a lease after which it goes again if still not done. Jobs sent
    OUTBOX_MAX_ATTEMPTS times without finishing are marked failed. If the broker refuses, the rest of
    the batch is tried again OUTBOX_RELAY_RETRY_SECONDS later.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            OutboxJob.objects.select_for_update(skip_locked=True)
            .filter(state__in=OPEN_STATES, relay_at__lte=now)
            .order_by("relay_at")
            .values_list("pk", "queue", "due_at", "attempts")[:limit]
        )
        exhausted = [pk for pk, _, _, attempts in due if attempts >= settings.OUTBOX_MAX_ATTEMPTS]
        if exhausted:
            OutboxJob.objects.filter(pk__in=exhausted).update(
                state=JobState.FAILED, error=f"Not done after {settings.OUTBOX_MAX_ATTEMPTS} sendings."
            )
        sending = [row for row in due if row[0] not in set(exhausted)]
        for attempts in {row[3] for row in sending}:
            OutboxJob.objects.filter(pk__in=[row[0] for row in sending if row[3] == attempts]).update(
                state=JobState.SENT, sent_at=now, relay_at=now + lease_after(attempts + 1), attempts=attempts + 1
            )
    return _publish_batch(sending, now)


def _publish_batch(rows: list[tuple[int, str, datetime, int]], now: datetime) -> int:
    """One task per RELAY_TASK_SIZE jobs of a queue: a worker runs them one after another, so a backlog
    costs the broker and the workers' task overhead once per task, not once per job."""
    by_queue: dict[str, list[int]] = {}
    for pk, queue, _, _ in rows:
        by_queue.setdefault(queue, []).append(pk)
    tasks = [
        (queue, ids[start : start + RELAY_TASK_SIZE])
        for queue, ids in by_queue.items()
        for start in range(0, len(ids), RELAY_TASK_SIZE)
    ]
    sent = 0
    for index, (queue, ids) in enumerate(tasks):
        try:
            _publish(ids, queue, now)
        except Exception:  # the broker is down: the rest wait a moment, none is lost
            unsent = [pk for _, chunk in tasks[index:] for pk in chunk]
            logger.warning("The broker refused outbox jobs; %s wait for the next relay", len(unsent))
            retry_at = now + timedelta(seconds=settings.OUTBOX_RELAY_RETRY_SECONDS)
            OutboxJob.objects.filter(pk__in=unsent).update(relay_at=retry_at, attempts=F("attempts") - 1)
            return sent
        sent += len(ids)
    return sent


def jobs_run(*, job_ids: list[int], now: datetime | None = None) -> dict[str, list[int]]:
    """Run these jobs one after another (job_run); returns their ids by outcome. Those that met a transient
    error are under "retry": released, for the caller to try again later."""
    outcomes: dict[str, list[int]] = {"done": [], "skipped": [], "failed": [], "retry": []}
    for job_id in job_ids:
        try:
            outcomes[job_run(job_id=job_id, now=now)].append(job_id)
        except TRANSIENT_ERRORS as error:
            logger.warning("Outbox job #%s will be retried: %s: %s", job_id, type(error).__name__, error)
            outcomes["retry"].append(job_id)
    return outcomes


def job_run(*, job_id: int, now: datetime | None = None) -> str:
    """Run one job's handler and mark it done; returns what happened (done, skipped, failed).

    The worker locks the row first (SKIP LOCKED), so a copy of the job delivered twice (a redelivery, the
    relay's sending after a slow fast path) finds it locked, claimed or done, and is skipped. An atomic
    job runs under that lock, in the transaction that marks it done: a worker that dies mid-job leaves
    neither its writes nor the mark, and its lock goes with its connection. Any other job is claimed for
    a lease and run outside a transaction. A transient error (the database, Redis or SMTP unreachable)
    is raised for the caller to retry; any other error, or a row whose name or arguments no handler
    takes, marks the job failed with the reason.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # A job's effect lost with the server is redone: its row, committed with the change, is still open.
        commit_without_waiting_for_flush()
        job = _open_job_locked(job_id)
        if job is None:
            return "skipped"
        registered = job_named(job.name)
        if registered is None:
            return _fail(job, f"No job named {job.name!r} is registered.")
        try:
            bound = registered.bind(job.args, job.kwargs)
        except TypeError as error:
            return _fail(job, f"Arguments not taken by {job.name}: {error}")
        if registered.atomic:
            return _run(job, registered, bound)
        if job.claimed_until is not None and job.claimed_until > now:
            return "skipped"
        OutboxJob.objects.filter(pk=job.pk).update(claimed_until=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS))
    try:
        return _run(job, registered, bound)
    except TRANSIENT_ERRORS:
        _release(job)
        raise


def _run(job: OutboxJob, registered: Job, bound: inspect.BoundArguments) -> str:
    """The handler, under the id of the request that caused the job, which its logs and tasks carry on."""
    started = time.perf_counter()
    token = REQUEST_ID.set(job.request_id) if job.request_id else None
    try:
        if registered.atomic:
            with transaction.atomic():  # a savepoint under the row's lock: a failure undoes the handler's writes
                registered.handler(*bound.args, **bound.kwargs)
        else:
            registered.handler(*bound.args, **bound.kwargs)
    except TRANSIENT_ERRORS:
        raise
    except Exception as error:
        if (outage := database_outage(error)) is not None:  # its connection dropped: the retry reconnects
            raise outage from error
        logger.exception("Outbox job %s #%s failed", job.name, job.pk)
        return _fail(job, f"{type(error).__name__}: {error}")
    else:
        _mark_done(job)
        logger.info("Outbox job %s #%s done in %.1f ms", job.name, job.pk, (time.perf_counter() - started) * 1000)
        return "done"
    finally:
        if token is not None:
            REQUEST_ID.reset(token)


_JOB = Columns(OutboxJob, "j")
_TABLE = OutboxJob._meta.db_table
_OPEN = ", ".join(str(int(state)) for state in OPEN_STATES)


def _open_job_locked(job_id: int) -> OutboxJob | None:
    """The job if it is open and no other worker holds it, locked until the transaction ends: what
    select_for_update(skip_locked=True) reads (SQLite locks the whole database instead), in a statement
    written once rather than a query built for every job a worker runs."""
    lock = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT {_JOB.sql} FROM "{_TABLE}" j WHERE j.id = %s AND j.state IN ({_OPEN}){lock}', [job_id])
        row = cursor.fetchone()
    return None if row is None else _JOB.instance(row)


def _mark_done(job: OutboxJob) -> None:
    done_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{_TABLE}" SET state = %s, done_at = %s, claimed_until = NULL WHERE id = %s',
            [int(JobState.DONE), done_at, job.pk],
        )


def _release(job: OutboxJob) -> None:
    try:
        OutboxJob.objects.filter(pk=job.pk, state__in=OPEN_STATES).update(claimed_until=None)
    except TRANSIENT_ERRORS:
        logger.info("Outbox job #%s keeps its claim until the lease runs out", job.pk)


def _fail(job: OutboxJob, reason: str) -> str:
    logger.warning("Outbox job %s #%s failed: %s", job.name, job.pk, reason)
    OutboxJob.objects.filter(pk=job.pk).update(
        state=JobState.FAILED, error=reason[:MAX_ERROR_CHARS], claimed_until=None, done_at=timezone.now()
    )
    return "failed"


def job_retry(*, job_id: int, now: datetime | None = None) -> bool:
    """Give a failed job another go (an operator fixed its cause): pending, due now, its error kept until
    it runs. Callers: the Django admin's action. Returns whether the job was failed and is now pending."""
    now = now or timezone.now()
    return bool(
        OutboxJob.objects.filter(pk=job_id, state=JobState.FAILED).update(
            state=JobState.PENDING, relay_at=now, attempts=0, done_at=None
        )
    )


def jobs_prune(*, now: datetime | None = None, batch_size: int = 5000) -> int:
    """Delete done jobs older than OUTBOX_KEEP_DONE_HOURS, in batches; failed ones stay for the admin.
    Callers: beat (outbox.tasks.prune_jobs), run_periodic. Returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.OUTBOX_KEEP_DONE_HOURS)
    removed = 0
    while True:
        ids = list(
            OutboxJob.objects.filter(state=JobState.DONE, done_at__lt=cutoff).values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return removed
        removed += OutboxJob.objects.filter(pk__in=ids).delete()[0]
