"""manage.py create_api_token EMAIL [--workspace SLUG] [--name LABEL]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from accounts.management.commands._base import (
    command_error,
    domain_errors,
    get_active_membership,
    get_user,
    get_workspace,
)
from accounts.models import User
from integrations.tokens import api_token_create
from slackclone.errors import ErrorCode
from workspaces.models import Membership, Workspace


class Command(BaseCommand):
    help = (
        "Create an API token acting as a user in one workspace (the user's only one unless --workspace names it). "
        "Prints the token alone on the last line; it is shown once, only its hash is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The account the token acts as.")
        parser.add_argument("--workspace", help="The workspace slug; needed when the user is in several.")
        parser.add_argument("--name", default="", help="A label to tell tokens apart.")

    def handle(self, *args, email: str, workspace: str | None, name: str, **options) -> None:
        user = get_user(email)
        target = get_workspace(workspace) if workspace else self._only_workspace(user)
        get_active_membership(target, user)
        with domain_errors():
            token, raw = api_token_create(actor=None, user=user, workspace=target, name=name)
        self.stdout.write(
            self.style.SUCCESS(f"Created token {token.prefix}… for {user.email} in {target.slug}; store it now.")
        )
        self.stdout.write(raw)

    def _only_workspace(self, user: User) -> Workspace:
        slugs = list(
            Membership.objects.filter(user=user, is_active=True)
            .order_by("workspace__slug")
            .values_list("workspace__slug", flat=True)
        )
        if not slugs:
            raise command_error(ErrorCode.NOT_IN_WORKSPACE, f"{user.email} is not an active member of any workspace.")
        if len(slugs) > 1:
            raise command_error(
                ErrorCode.INVALID_ARGUMENTS,
                f"{user.email} is in several workspaces ({', '.join(slugs)}); name one with --workspace.",
            )
        return get_workspace(slugs[0])
