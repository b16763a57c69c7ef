"""manage.py outbox_relay [--once] [--interval SECONDS]

The relay: hands the outbox's due rows to Celery (jobs whose fast path was lost, jobs due later, jobs
whose worker never finished). Several copies may run: each claims rows with SKIP LOCKED. Idle, it asks
one indexed question every --interval seconds; with a backlog it works batch after batch at once.
"""

from __future__ import annotations

import signal
import time
from types import FrameType

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from outbox.registry import TRANSIENT_ERRORS
from outbox.services import jobs_relay_due

BATCH = 500


class Command(BaseCommand):
    help = "Hand the outbox's due jobs to Celery, once or until stopped (SIGTERM or SIGINT)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Relay what is due now, then exit.")
        parser.add_argument("--interval", type=float, default=0.5, help="Seconds between looks when idle.")

    def handle(self, *args, once: bool, interval: float, **options) -> None:
        if not 0.05 <= interval <= 60:
            raise CommandError("--interval must be between 0.05 and 60 seconds.")
        if once:
            self.stdout.write(f"Relayed {self._relay_all()} jobs.")
            return
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("Outbox relay running.")
        while not stopping:
            try:
                relayed = self._relay_all()
            except TRANSIENT_ERRORS as error:  # the database is away: wait, reconnect, go on
                self.stderr.write(f"Outbox relay: {type(error).__name__}: {error}")
                close_old_connections()
                relayed = 0
            if not relayed:
                time.sleep(interval)
        self.stdout.write("Outbox relay stopped.")

    def _relay_all(self) -> int:
        total = 0
        while (relayed := jobs_relay_due(limit=BATCH)) == BATCH:
            total += relayed
        return total + relayed
