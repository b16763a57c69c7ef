"""manage.py outbox_check [--timeout SECONDS]

Writes an `outbox.ping` job and waits until a worker has marked it done: the path from a commit through
the broker (or the relay) to a worker works. Prints the outbox's backlog and failed jobs. Exits 1 when
the ping is not done in time, so a monitoring check can run it.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from outbox.models import JobState, OutboxJob
from outbox.selectors import outbox_backlog, outbox_failed_count
from outbox.services import job_enqueue


class Command(BaseCommand):
    help = "Send a ping through the outbox and wait for a worker to finish it; report the backlog."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=30.0, help="Seconds to wait for the ping.")

    def handle(self, *args, timeout: float, **options) -> None:
        if not 0 < timeout <= 3600:
            raise CommandError("--timeout must be more than 0 and at most 3600 seconds.")
        backlog, oldest = outbox_backlog()
        self.stdout.write(
            f"Backlog: {backlog} jobs due, the oldest {oldest:.1f} s old; {outbox_failed_count()} failed."
        )
        started = time.monotonic()
        with transaction.atomic():
            ping = job_enqueue("outbox.ping", "outbox_check")
        while time.monotonic() - started < timeout:
            state = OutboxJob.objects.filter(pk=ping.pk).values_list("state", flat=True).first()
            if state == JobState.DONE:
                self.stdout.write(f"Ping #{ping.pk} done in {(time.monotonic() - started) * 1000:.0f} ms.")
                return
            time.sleep(0.05)
        raise CommandError(
            f"Ping #{ping.pk} was not done within {timeout:g} s: is a worker on the default queue running?"
        )
