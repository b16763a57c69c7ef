"""manage.py create_workspace SLUG [--name NAME] --owner EMAIL"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from accounts.management.commands._base import domain_errors, get_user
from workspaces.services import workspace_create


class Command(BaseCommand):
    help = "Create a workspace with its owner, #general and #random. Prints the workspace's public id on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The address: lowercase letters, digits and hyphens.")
        parser.add_argument("--name", help="The display name (defaults to the slug).")
        parser.add_argument("--owner", required=True, help="Email of the existing account that will own it.")

    def handle(self, *args, slug: str, name: str | None, owner: str, **options) -> None:
        creator = get_user(owner)
        with domain_errors():
            workspace = workspace_create(creator=creator, name=name or slug, slug=slug)
        self.stdout.write(
            self.style.SUCCESS(f"Created workspace {workspace.name} ({workspace.slug}) owned by {creator.email}.")
        )
        self.stdout.write(workspace.public_id)
