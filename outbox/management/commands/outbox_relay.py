"""manage.py outbox_relay [--once] [--interval SECONDS]

The relay: hands the outbox's due rows to Celery (jobs whose fast path was lost, jobs due later, jobs
whose worker never finished). Several copies may run: each claims rows with SKIP LOCKED. Idle, it asks
one indexed question every --interval seconds; with a backlog it works batch after batch at once.
"""

from __future__ import annotations

import signal
import time
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from outbox.registry import TRANSIENT_ERRORS
from outbox.services import jobs_relay_due
from slackclone.db_unavailable import outage_as_unavailable
from slackclone.metrics.families import OUTBOX_RELAYED

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
        self._serve_metrics()
        self.stdout.write("Outbox relay running.")
        while not stopping:
            try:
                relayed = outage_as_unavailable(self._relay_all)()
            except TRANSIENT_ERRORS as error:  # the database is away (or a statement stale): reconnect, go on
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
        OUTBOX_RELAYED.inc(total + relayed)
        return total + relayed

    def _serve_metrics(self) -> None:
        """On METRICS_PORT (when set): how many jobs this relay handed over, with the outbox's backlog."""
        if not settings.METRICS_PORT:
            return
        from prometheus_client import REGISTRY, start_http_server

        from slackclone.metrics.collectors import BacklogCollector

        REGISTRY.register(BacklogCollector())
        try:
            start_http_server(settings.METRICS_PORT)
        except OSError as error:  # metrics are never a reason for the relay not to run
            self.stderr.write(f"Could not serve metrics on port {settings.METRICS_PORT}: {error}")
