"""Celery tasks of the outbox: run jobs (on their own queue), relay due rows, prune done ones."""

from __future__ import annotations

from celery import Task, shared_task

from outbox import services
from slackclone.db_unavailable import outage_as_unavailable


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=8)
def run_jobs(self: Task, job_ids: list[int]) -> dict[str, int]:
    """Run outbox jobs by id, sent to the queue their registration names (the fast path sends one, the relay
    several). Jobs that met a transient error are retried alone, with a growing delay; after the last retry
    the relay sends them again when their lease runs out. Returns how many were done, skipped, failed."""
    outcomes = services.jobs_run(job_ids=job_ids)
    if outcomes["retry"]:
        countdown = min(2 ** (self.request.retries + 1), 300)
        raise self.retry(args=(outcomes["retry"],), countdown=countdown)
    return {outcome: len(ids) for outcome, ids in outcomes.items() if outcome != "retry"}


@shared_task(acks_late=True)
@outage_as_unavailable  # its connection dropped, so the next nudge finds a fresh one
def relay_due_jobs() -> int:
    """Beat's nudge for deployments without the relay process: hand over due rows (a few batches)."""
    return sum(services.jobs_relay_due() for _ in range(4))


@shared_task(acks_late=True)
@outage_as_unavailable
def prune_jobs() -> int:
    return services.jobs_prune()
