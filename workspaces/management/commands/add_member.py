"""manage.py add_member SLUG EMAIL [--role owner|admin|member|guest]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from accounts.management.commands._base import command_error, domain_errors, get_user, get_workspace
from slackclone.errors import ErrorCode
from workspaces.models import Membership, Role
from workspaces.services import member_add


class Command(BaseCommand):
    help = "Add an existing account to a workspace; members and admins also join #general."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The workspace address.")
        parser.add_argument("email", help="The account to add.")
        # The service checks the role, so a wrong one gets the same message and code as everywhere else.
        parser.add_argument("--role", default=Role.MEMBER.value, help=f"One of {', '.join(Role.values)}.")

    def handle(self, *args, slug: str, email: str, role: str, **options) -> None:
        workspace, user = get_workspace(slug), get_user(email)
        existing = Membership.objects.filter(workspace=workspace, user=user).first()
        if existing is not None and existing.is_active:
            # member_add is idempotent for apps; an operator asking twice has likely mistyped.
            raise command_error(
                ErrorCode.INVALID_ARGUMENTS,
                f"{user.email} is already in {workspace.slug} as {existing.role}; "
                "change roles in the admin or the workspace settings.",
            )
        with domain_errors():
            membership = member_add(actor=None, workspace=workspace, user=user, role=role)
        self.stdout.write(self.style.SUCCESS(f"Added {user.email} to {workspace.slug} as {membership.role}."))
