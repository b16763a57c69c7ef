"""manage.py sync_ldap SLUG: names, addresses and roles of the workspace's directory-linked members from its
directory; members the directory no longer lists (or allows) are deactivated, and their sessions in the
workspace, tokens and sockets end at once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from directory.identities import directory_sync
from directory.ldap import DirectoryUnavailable
from directory.models import Directory
from workspaces.models import Workspace


class Command(BaseCommand):
    help = "Synchronise a workspace's members with its LDAP / Active Directory; deactivate those who left."

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="The workspace's slug.")

    def handle(self, *args, **options):
        slug = options["workspace"]
        workspace = Workspace.objects.filter(slug=slug).first()
        if workspace is None:
            raise CommandError(f"No workspace {slug!r} (workspace_not_found).")
        directory = Directory.objects.filter(workspace=workspace).first()
        if directory is None:
            raise CommandError(f"{slug} has no directory configured (ldap_not_configured).")
        if not directory.trusted:
            raise CommandError(f"{slug}'s directory is not trusted by the operator yet (Django admin); nothing done.")
        try:
            result = directory_sync(directory=directory)
        except DirectoryUnavailable as failure:
            raise CommandError(
                f"{directory.server_uri}: {failure.message} ({failure.reason}: {failure.detail}); nothing changed."
            ) from None
        self.stdout.write(
            f"Checked {result.checked} directory members of {slug}: {result.updated} role changes, "
            f"{len(result.deactivated)} deactivated."
        )
        for email in result.deactivated:
            self.stdout.write(f"  deactivated {email}")
        for skipped in result.skipped:
            self.stderr.write(f"  left as is: {skipped}")
