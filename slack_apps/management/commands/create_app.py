"""manage.py create_app SLUG NAME --by EMAIL [--manifest FILE] [--socket-mode] [--command /NAME ...]
[--event TYPE ...]"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from accounts.management.commands._base import command_error, domain_errors, get_user, get_workspace
from slack_apps.manifest import MANIFEST_MAX_BYTES, parse_manifest, spec_from_options
from slack_apps.services import app_create
from slackclone.errors import ErrorCode


class Command(BaseCommand):
    help = (
        "Create a Slack app in a workspace, as one of its owners or admins: its bot user and bot token (xoxb-), "
        "its app-level token (xapp-) and signing secret. The last line printed is one JSON object with "
        "app_id, bot_user_id, bot_token, app_token and signing_secret; they are shown once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("workspace", help="The workspace's slug.")
        parser.add_argument("name", help="The app's name (with --manifest, it replaces the manifest's).")
        parser.add_argument("--by", required=True, metavar="EMAIL", help="The owner or admin creating it.")
        parser.add_argument("--manifest", metavar="FILE", help="A Slack app manifest, JSON or YAML.")
        parser.add_argument("--socket-mode", action="store_true", help="Deliver over Socket Mode.")
        parser.add_argument("--command", action="append", default=[], metavar="/NAME", help="A slash command.")
        parser.add_argument("--event", action="append", default=[], metavar="TYPE", help="A bot event to receive.")

    def handle(self, *args, **options) -> None:
        workspace = get_workspace(options["workspace"])
        actor = get_user(options["by"])
        with domain_errors():
            spec = self._spec(options)
            app, credentials = app_create(actor=actor, workspace=workspace, spec=spec)
        self.stdout.write(self.style.SUCCESS(f"Created the app {app.name} ({app.public_id}) in {workspace.slug}."))
        self.stdout.write(json.dumps(dataclasses.asdict(credentials)))

    def _spec(self, options: dict):
        if not options["manifest"]:
            return spec_from_options(
                name=options["name"],
                socket_mode=options["socket_mode"],
                commands=options["command"],
                events=options["event"],
            )
        if options["socket_mode"] or options["command"] or options["event"]:
            raise command_error(
                ErrorCode.INVALID_ARGUMENTS, "With --manifest, the manifest says the mode, commands and events."
            )
        path = Path(options["manifest"])
        try:
            with path.open("rb") as file:
                text = file.read(MANIFEST_MAX_BYTES + 1)
        except OSError as error:
            raise command_error(ErrorCode.INVALID_ARGUMENTS, f"Cannot read {path}: {error.strerror}.") from None
        return parse_manifest(text, name=options["name"])
