"""OutboxJob: one unit of work a committed change caused, and where it stands."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class JobState(models.IntegerChoices):
    PENDING = 0, "pending"  # committed; handed to Celery by the committing process, or waiting for the relay
    SENT = 1, "sent"  # the relay handed it to Celery at sent_at
    DONE = 2, "done"
    FAILED = 3, "failed"  # malformed, or its handler raised a non-transient error: kept, with the reason


OPEN_STATES = (JobState.PENDING, JobState.SENT)


class OutboxJob(models.Model):
    """A job: its handler's registered name and arguments (JSON), when it may run, and its progress.

    `relay_at` is when the relay hands the row to Celery if it is not done by then: its due time plus a
    grace for the fast path, then a lease after each sending. `claimed_until` is the lease of the worker
    running it, so a copy delivered twice is run by one worker only.
    """

    name = models.CharField(max_length=100)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    state = models.PositiveSmallIntegerField(choices=JobState.choices, default=JobState.PENDING)
    queue = models.CharField(max_length=40)
    due_at = models.DateTimeField()
    relay_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [
            # The relay's one query: open rows whose time has come. Done rows stay out of the index.
            models.Index(fields=["relay_at"], name="outbox_job_open_relay_at", condition=Q(state__in=[0, 1])),
            models.Index(fields=["done_at"], name="outbox_job_done_at", condition=Q(state=2)),
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk} ({self.get_state_display()})"
