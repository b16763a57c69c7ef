"""manage.py create_channel SLUG NAME [--private] --by EMAIL"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from accounts.management.commands._base import domain_errors, get_active_membership, get_user, get_workspace
from chat.services import channel_create


class Command(BaseCommand):
    help = "Create a channel as a member of the workspace (its first member). Prints its public id on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The workspace address.")
        parser.add_argument("name", help="The channel name: lowercase letters, digits, hyphens and underscores.")
        parser.add_argument("--private", action="store_true", help="Only invited members can see it.")
        parser.add_argument("--by", required=True, help="Email of the member creating it.")

    def handle(self, *args, slug: str, name: str, private: bool, by: str, **options) -> None:
        workspace, creator = get_workspace(slug), get_user(by)
        get_active_membership(workspace, creator)
        with domain_errors():
            channel = channel_create(actor=creator, workspace=workspace, name=name, is_private=private)
        kind = "private channel" if private else "channel"
        self.stdout.write(self.style.SUCCESS(f"Created {kind} #{channel.name} in {workspace.slug}."))
        self.stdout.write(channel.public_id)
