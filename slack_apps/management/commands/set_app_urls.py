"""manage.py set_app_urls APP_ID [--request-url URL] [--interactivity-url URL] [--command-url /NAME=URL ...]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from accounts.management.commands._base import command_error, domain_errors
from slack_apps.models import App
from slack_apps.services import app_set_urls
from slackclone.errors import ErrorCode


class Command(BaseCommand):
    help = (
        "Set where an app receives events, interactivity and slash commands. A new request URL is sent Slack's "
        "url_verification first and saved only if the app answers the challenge (run the app first); it also "
        "serves the commands that have no URL of their own. An empty URL removes one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("app_id", help="The app's id (A…).")
        parser.add_argument("--request-url", help="Events (and commands without their own URL).")
        parser.add_argument("--interactivity-url", help="Button clicks, menus and modals.")
        parser.add_argument(
            "--command-url", action="append", default=[], metavar="/NAME=URL", help="One command's own URL."
        )

    def handle(self, *args, **options) -> None:
        app = App.objects.select_related("workspace", "bot_user").filter(public_id=options["app_id"]).first()
        if app is None:
            raise command_error(ErrorCode.APP_NOT_FOUND, f"No app has the id {options['app_id']!r}.")
        command_urls = {}
        for pair in options["command_url"]:
            command, separator, url = pair.partition("=")
            if not separator or not command.startswith("/"):
                raise command_error(ErrorCode.INVALID_ARGUMENTS, f"--command-url takes /NAME=URL, not {pair!r}.")
            command_urls[command] = url
        with domain_errors():
            app_set_urls(
                actor=None,
                app=app,
                request_url=options["request_url"],
                interactivity_url=options["interactivity_url"],
                command_urls=command_urls,
            )
        self.stdout.write(self.style.SUCCESS(f"Saved the URLs of {app.name} ({app.public_id})."))
