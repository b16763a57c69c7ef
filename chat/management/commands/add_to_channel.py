"""manage.py add_to_channel SLUG CHANNEL_NAME EMAIL"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from accounts.management.commands._base import command_error, domain_errors, get_channel, get_user, get_workspace
from chat.models import ChannelMember
from chat.services import channel_invite
from slackclone.errors import ErrorCode


class Command(BaseCommand):
    help = "Add a workspace member to a public or private channel, as the operator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The workspace address.")
        parser.add_argument("channel_name", help="The channel's name ('#' optional).")
        parser.add_argument("email", help="The member to add.")

    def handle(self, *args, slug: str, channel_name: str, email: str, **options) -> None:
        workspace = get_workspace(slug)
        channel, user = get_channel(workspace, channel_name), get_user(email)
        if ChannelMember.objects.filter(channel=channel, user=user).exists():
            raise command_error(ErrorCode.ALREADY_IN_CHANNEL, f"{user.email} is already in #{channel.name}.")
        with domain_errors():
            channel_invite(actor=None, channel=channel, users=[user])
        self.stdout.write(self.style.SUCCESS(f"Added {user.email} to #{channel.name} in {workspace.slug}."))
