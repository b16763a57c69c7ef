"""manage.py add_oidc_provider SLUG NAME --issuer URL --client-id ID --client-secret SECRET
[--scopes "openid email profile"] [--trust-email] [--allow-domain DOMAIN ...]

Prints the redirect URI to register at the provider as its last line.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.management.commands._base import domain_errors, get_workspace
from identity.services import DEFAULT_SCOPES, identity_provider_create_oidc, redirect_uri


class Command(BaseCommand):
    help = (
        "Add an OpenID Connect sign-in provider to a workspace. People whose verified email is in an allowed "
        "domain are made members on their first sign-in (with --trust-email)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The workspace address.")
        parser.add_argument("name", help='Shown on the button: "Sign in with NAME".')
        parser.add_argument("--issuer", required=True, help="The provider's issuer URL (https).")
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
        parser.add_argument("--scopes", default=" ".join(DEFAULT_SCOPES), help='Default: "openid email profile".')
        parser.add_argument(
            "--trust-email", action="store_true", help="Believe the email the provider says it has verified."
        )
        parser.add_argument(
            "--allow-domain",
            action="append",
            default=[],
            dest="allow_domains",
            metavar="DOMAIN",
            help="Provision people whose verified email is at DOMAIN just in time (repeatable).",
        )

    def handle(self, *args: Any, slug: str, name: str, **options: Any) -> None:
        workspace = get_workspace(slug)
        with domain_errors():
            provider = identity_provider_create_oidc(
                actor=None,
                workspace=workspace,
                name=name,
                issuer=options["issuer"],
                client_id=options["client_id"],
                client_secret=options["client_secret"],
                scopes=options["scopes"],
                trust_email=options["trust_email"],
                allowed_domains=options["allow_domains"],
            )
        self.stdout.write(self.style.SUCCESS(f'Added "{provider.name}" ({provider.provider_id}) to {workspace.slug}.'))
        if provider.last_error:
            self.stdout.write(
                self.style.WARNING(f"The provider's configuration could not be read: {provider.last_error}")
            )
        if provider.allowed_domains and not provider.trust_email:
            self.stdout.write(
                self.style.WARNING(
                    "Without --trust-email nobody is provisioned by domain: only linked accounts sign in."
                )
            )
        self.stdout.write("Register this redirect URI at the provider:")
        self.stdout.write(redirect_uri(provider.provider_id))
