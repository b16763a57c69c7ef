"""manage.py seed_demo [--messages N]"""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from accounts.management.commands._base import command_error, domain_errors
from chat.seeding import ProgressBar, seed_demo
from chat.seeding.demo import DEFAULT_MESSAGES, DEMO_PASSWORD, DEMO_SLUG, OWNER, PEOPLE
from slackclone.errors import ErrorCode


class Command(BaseCommand):
    help = (
        f"Create the demo workspace {DEMO_SLUG!r}: {len(PEOPLE)} people (password {DEMO_PASSWORD!r}), public and "
        f"private channels, a DM and a group DM, and {DEFAULT_MESSAGES:,} messages with threads, reactions, "
        "mentions and pins. --messages N brings it to N messages instead (millions load in bulk, for benchmarks). "
        "Idempotent: running again only adds what is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--messages",
            type=int,
            default=DEFAULT_MESSAGES,
            help=f"How many messages the demo workspace should hold (default {DEFAULT_MESSAGES:,}).",
        )

    def handle(self, *args, messages: int, verbosity: int, **options) -> None:
        if messages < 0:
            raise command_error(ErrorCode.INVALID_ARGUMENTS, "--messages must be 0 or more.")
        started = time.perf_counter()
        with domain_errors():
            report = seed_demo(messages=messages, progress_bar=self._progress_bar(verbosity))
        elapsed = time.perf_counter() - started
        for line in report.created:
            self.stdout.write(f"Created {line}")
        if report.history_added:
            seconds = report.history_seconds
            rate = f", {report.history_added / seconds:,.0f} messages/s" if seconds > 0 else ""
            self.stdout.write(f"Loaded {report.history_added:,} history messages in bulk ({seconds:.1f}s{rate}).")
        if report.story_added:
            self.stdout.write(f"Posted {report.story_added} storyline messages with reactions and pins.")
        if not report.changed_anything:
            self.stdout.write("Nothing to do: the demo workspace is already complete.")
        self.stdout.write(f"The demo workspace now holds {report.total_messages:,} messages ({elapsed:.1f}s).")
        self.stdout.write(f"People: {', '.join(p.email for p in PEOPLE)}; password {DEMO_PASSWORD!r}.")
        self.stdout.write(self.style.SUCCESS(f"Log in as {OWNER.email} / {DEMO_PASSWORD} and open /{DEMO_SLUG}/."))

    def _progress_bar(self, verbosity: int) -> ProgressBar:
        def bar(total: int) -> tqdm:
            return tqdm(total=total, unit="msg", unit_scale=True, disable=verbosity == 0, file=sys.stderr)

        return bar
