"""manage.py add_saml_provider SLUG NAME (--metadata-url URL | --metadata-file FILE)
[--trust-email] [--allow-domain DOMAIN ...] [--no-idp-initiated]

Adds a SAML 2.0 identity provider to a workspace as the operator. The last line printed is our
service-provider metadata URL, to give the IdP (most IdPs import it; the docs list the fields).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from accounts.management.commands._base import command_error, domain_errors, get_workspace
from identity.saml import metadata
from identity.saml.services import saml_provider_create, sp_metadata_url
from slackclone.errors import ErrorCode


class Command(BaseCommand):
    help = "Add a SAML 2.0 identity provider to a workspace; prints our service-provider metadata URL last."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The workspace address.")
        parser.add_argument("name", help='Shown on the button: "Sign in with NAME".')
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--metadata-url", help="The IdP's SAML metadata URL.")
        source.add_argument("--metadata-file", help="A file with the IdP's SAML metadata XML.")
        parser.add_argument(
            "--trust-email", action="store_true", help="Believe the email address the IdP asserts (off by default)."
        )
        parser.add_argument(
            "--allow-domain",
            action="append",
            default=[],
            metavar="DOMAIN",
            help="Provision people of this email domain on first sign-in (repeatable).",
        )
        parser.add_argument(
            "--no-idp-initiated", action="store_true", help="Refuse sign-ins started at the IdP's own portal."
        )

    def handle(self, *args, slug: str, name: str, **options) -> None:
        workspace = get_workspace(slug)
        document = self._read_file(options["metadata_file"]) if options["metadata_file"] else None
        with domain_errors():
            provider = saml_provider_create(
                actor=None,
                workspace=workspace,
                name=name,
                metadata_url=options["metadata_url"] or "",
                metadata_xml=document,
                trust_email=options["trust_email"],
                allowed_domains=options["allow_domain"],
                idp_initiated=not options["no_idp_initiated"],
            )
        idp = provider.social_app.settings["idp"]
        self.stdout.write(f"Added the SAML provider {provider.name!r} to {workspace.slug}.")
        self.stdout.write(f"IdP entity id: {idp['entity_id']}")
        self.stdout.write(f"IdP sign-on URL: {idp['sso_url']}")
        self.stdout.write("Give the IdP our metadata (entity id and ACS URL), at:")
        self.stdout.write(sp_metadata_url(provider))

    @staticmethod
    def _read_file(path: str) -> bytes:
        file = Path(path)
        try:
            size = file.stat().st_size
            if size > metadata.MAX_METADATA_BYTES:
                raise command_error(
                    ErrorCode.INVALID_SAML_METADATA, f"{path} is larger than {metadata.MAX_METADATA_BYTES} bytes."
                )
            return file.read_bytes()
        except OSError as error:
            raise command_error(ErrorCode.INVALID_ARGUMENTS, f"Cannot read {path}: {error.strerror}.") from error
