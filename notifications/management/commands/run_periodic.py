"""manage.py run_periodic [--loop] [--interval SECONDS]

What Celery beat does on the real stack, for a deployment without it (the embedded default has
no broker and no beat): hand due outbox jobs over (the relay's work), deliver due scheduled messages
and reminders, send missed-message emails whose time has come, retry apps' event deliveries, and apply
retention (messages hourly, the audit log daily). Each job finds its
work in the database and is safe to run beside beat or another copy of this command.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from audit.retention import audit_prune_all
from notifications import services
from outbox.services import jobs_prune, jobs_relay_due
from slack_apps import delivery
from slackclone.db_unavailable import DatabaseUnavailable, outage_as_unavailable

RETENTION_EVERY_SECONDS = 3600
AUDIT_PRUNE_EVERY_SECONDS = 86400


class Command(BaseCommand):
    help = (
        "Run the periodic jobs (due deliveries, missed-message emails, app event retries, retention) once, "
        "or every --interval seconds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep running until interrupted.")
        parser.add_argument("--interval", type=float, default=15.0, help="Seconds between runs with --loop.")

    def handle(self, *args, loop: bool, interval: float, **options) -> None:
        self.retention_due = self.audit_due = 0.0
        while True:
            try:
                self.stdout.write(outage_as_unavailable(self.run_once)())
            except DatabaseUnavailable as error:  # a failover, or a statement a migration made stale
                if not loop:
                    raise
                self.stderr.write(f"run_periodic: {error.message}")  # its connection dropped: the next run reconnects
            if not loop:
                return
            time.sleep(interval)

    def run_once(self) -> str:
        """Every job once (retention and the audit log's when due); what was done, as one line."""
        swept = services.deliveries_run_due()
        emails = services.missed_emails_claim_due()
        events = [delivery.deliver(delivery_id) for delivery_id in delivery.due_delivery_ids()]
        relayed = jobs_relay_due()
        line = (
            f"Relayed {relayed} outbox jobs. "
            f"Delivered {swept.scheduled_delivered} scheduled messages and {swept.reminders_delivered} reminders; "
            f"{len(emails)} missed-message emails due."
            f" Tried {len(events)} app event deliveries."
        )
        if time.monotonic() >= self.retention_due:
            runs = services.retention_apply_all()
            line += f" Retention removed {sum(run.messages_deleted for run in runs)} messages."
            self.retention_due = time.monotonic() + RETENTION_EVERY_SECONDS
        if time.monotonic() >= self.audit_due:
            line += f" Audit log retention removed {audit_prune_all()} events."
            line += f" {jobs_prune()} done outbox jobs pruned."
            self.audit_due = time.monotonic() + AUDIT_PRUNE_EVERY_SECONDS
        return line
