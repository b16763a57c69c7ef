"""manage.py scim_token SLUG create [--name NAME] | revoke TOKEN_ID | list

The operator's way to make and revoke a workspace's SCIM tokens (owners use /<slug>/admin/scim/). `create`
prints the SCIM base URL, then the raw token as its last line: it is shown once, never stored.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from accounts.management.commands._base import command_error, domain_errors, get_workspace
from scim.models import ScimToken
from scim.tokens import scim_token_create, scim_token_revoke
from slackclone.errors import ErrorCode


class Command(BaseCommand):
    help = "Create, revoke or list a workspace's SCIM provisioning tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The workspace address.")
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Make a token; its raw value is the last line printed.")
        create.add_argument("--name", default="", help="What the token is for (the identity provider's name).")
        revoke = actions.add_parser("revoke", help="Revoke a token at once.")
        revoke.add_argument("token_id", help="The token's id (Y…), as `list` shows it.")
        actions.add_parser("list", help="The workspace's live tokens.")

    def handle(self, *args, slug: str, action: str, **options) -> None:
        workspace = get_workspace(slug)
        if action == "create":
            with domain_errors():
                token, raw = scim_token_create(actor=None, workspace=workspace, name=options["name"])
            base = getattr(settings, "SITE_URL", "").rstrip("/")
            self.stdout.write(f"Created SCIM token {token.public_id} for {workspace.slug}.")
            self.stdout.write(f"SCIM base URL: {base}/scim/v2/")
            self.stdout.write(raw)
        elif action == "revoke":
            found = ScimToken.objects.filter(workspace=workspace, public_id=options["token_id"]).first()
            if found is None:
                raise command_error(
                    ErrorCode.TOKEN_NOT_FOUND, f"No SCIM token {options['token_id']} in {workspace.slug}."
                )
            with domain_errors():
                scim_token_revoke(actor=None, token=found)
            self.stdout.write(self.style.SUCCESS(f"Revoked SCIM token {found.public_id}."))
        else:
            for token in ScimToken.objects.filter(workspace=workspace, revoked_at=None).order_by("created_at"):
                used = token.last_used_at.isoformat() if token.last_used_at else "never"
                self.stdout.write(f"{token.public_id}  {token.prefix}…  {token.name or '-'}  last used {used}")
