"""manage.py generate_vapid_keys [--write]

A new VAPID key pair for Web Push (desktop notifications). Printed as the environment lines to set on the
real stack; with --write, kept in WEBPUSH_VAPID_KEY_FILE (var/ by default) unless that file already holds
one, which is what `make run` does so the embedded default has push too. A new key pair makes every
browser's subscription useless (push services check the key they were made with), so keep the key.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from notifications.webpush import generate_private_key


class Command(BaseCommand):
    help = "Generate a VAPID key pair for Web Push; --write keeps it in WEBPUSH_VAPID_KEY_FILE if none is there."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--write", action="store_true", help="Write the private key to WEBPUSH_VAPID_KEY_FILE if it has none."
        )

    def handle(self, *args, write: bool, **options) -> None:
        if not write:
            private, public = generate_private_key()
            self.stdout.write(f"WEBPUSH_VAPID_PRIVATE_KEY={private}\n# public key (given to browsers): {public}")
            return
        path = settings.WEBPUSH_VAPID_KEY_FILE
        if path.is_file() and path.read_text().strip():
            self.stdout.write(f"{path} already holds a VAPID key; left as it is.")
            return
        private, public = generate_private_key()
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(private + "\n")
        self.stdout.write(f"Wrote a new VAPID key to {path} (public key {public}).")
