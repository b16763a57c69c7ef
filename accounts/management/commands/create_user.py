"""manage.py create_user EMAIL [--password P] [--name NAME] [--bot]"""

from __future__ import annotations

import secrets

from django.core.management.base import BaseCommand, CommandParser

from accounts.management.commands._base import command_error, domain_errors
from accounts.services import user_create
from slackclone.errors import ErrorCode

GENERATED_PASSWORD_BYTES = 12


class Command(BaseCommand):
    help = (
        "Create an account, its address taken as verified (the operator vouches for it). Prints a generated "
        "password when none is given (bots get none) and the new user's public id on the last line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The login email address.")
        parser.add_argument("--password", help="The password; checked against the password rules.")
        parser.add_argument("--name", default="", help="The person's full name.")
        parser.add_argument("--bot", action="store_true", help="A bot account: no password, it uses API tokens.")

    def handle(self, *args, email: str, password: str | None, name: str, bot: bool, **options) -> None:
        if bot and password:
            raise command_error(ErrorCode.INVALID_ARGUMENTS, "Bots have no password; drop --password.")
        generated = None
        if not bot and not password:
            generated = password = secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)
        with domain_errors():
            user = user_create(email=email, password=password, full_name=name, is_bot=bot, email_verified=True)
        kind = "bot" if bot else "user"
        self.stdout.write(self.style.SUCCESS(f"Created {kind} {user.email} ({user.name})."))
        if generated:
            self.stdout.write(f"Password: {generated}")
        self.stdout.write(user.public_id)
