"""manage.py import_slack_export EXPORT.zip --workspace SLUG: a Slack export into a workspace."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from integrations.slack_export.importer import import_slack_export
from slackclone.errors import DomainError
from workspaces.models import Workspace


class ProgressBar:
    """A bar on the command's stderr (an OutputWrapper): redrawn in place on a terminal; otherwise a
    line at each tenth, so logs and CI output stay readable."""

    WIDTH = 30

    def __init__(self, stream, label: str):
        self.stream, self.label = stream, label
        self.total = self.done = self.last_tenth = 0
        self.started = time.monotonic()
        self.tty = hasattr(stream, "isatty") and stream.isatty()

    def set_total(self, total: int) -> None:
        self.total = total
        self.draw()

    def advance(self, count: int) -> None:
        self.done = min(self.total, self.done + count) if self.total else self.done + count
        self.draw()

    def draw(self) -> None:
        share = self.done / self.total if self.total else 1.0
        tenth = int(share * 10)
        if not self.tty and tenth == self.last_tenth and self.done not in (0, self.total):
            return
        self.last_tenth = tenth
        filled = int(share * self.WIDTH)
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        line = (
            f"{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {share:4.0%} "
            f"{self.done:,}/{self.total:,} ({rate:,.0f}/s)"
        )
        self.stream.write(f"\r{line}" if self.tty else f"{line}\n", ending="")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n", ending="")


class Command(BaseCommand):
    help = (
        "Import a Slack export (users.json, channels.json, groups.json, dms.json, mpims.json and a JSON "
        "file per channel per day) into a workspace. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", help="The export's .zip file, as Slack's export tool makes it.")
        parser.add_argument("--workspace", required=True, help="The slug of the workspace to import into.")
        parser.add_argument(
            "--invite",
            action="store_true",
            help="Email each person who has no account here yet an invitation; following it claims the "
            "account the import made for them, with their history. Off by default: invite people later from "
            "the workspace's admin pages.",
        )

    def handle(self, *args, **options):
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace {options['workspace']!r} (workspace_not_found).")
        bar = ProgressBar(self.stderr, "messages")
        try:
            report = import_slack_export(
                workspace=workspace,
                path=options["export"],
                on_total=bar.set_total,
                progress=bar.advance,
                invite=options["invite"],
            )
        except DomainError as error:
            raise CommandError(f"{error.message} ({error.code})") from None
        finally:
            bar.finish()
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Imported into {workspace.slug}."))
