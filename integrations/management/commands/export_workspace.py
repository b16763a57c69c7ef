"""manage.py export_workspace SLUG OUT.zip: a workspace as a Slack export (import_slack_export reads it)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from integrations.slack_export.exporter import export_workspace
from workspaces.models import Workspace


class Command(BaseCommand):
    help = "Write a workspace in Slack's export format: users, channels, DMs and every message, one file per day."

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="The workspace's slug.")
        parser.add_argument("output", help="The .zip file to write (replaced if it exists).")

    def handle(self, *args, **options):
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace {options['workspace']!r} (workspace_not_found).")
        try:
            counts = export_workspace(workspace=workspace, path=options["output"])
        except OSError as error:
            raise CommandError(f"Cannot write {options['output']}: {error}") from None
        self.stdout.write(
            f"Exported {counts['users']} users, {counts['conversations']} conversations, "
            f"{counts['messages']} messages and {counts['emoji']} emoji of {workspace.slug} to {options['output']}."
        )
