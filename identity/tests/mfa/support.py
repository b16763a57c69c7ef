"""Two-factor test helpers: an authenticator app of our own (RFC 6238, computed here, not by allauth), and
enrolling a person the way allauth stores it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.signals import user_logged_in

from identity.receivers import SIGN_IN_METHOD_ATTRIBUTE

PERIOD = 30


def totp_code(secret: str, *, at: float | None = None, step: int = 0) -> str:
    """The six digits an authenticator app shows for the base32 `secret` (HMAC-SHA1, 30-second steps)."""
    counter = int((time.time() if at is None else at) // PERIOD) + step
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**6:06d}"


def enrol_totp(user) -> str:
    """Give `user` an authenticator app and recovery codes; returns the app's secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def recovery_codes(user) -> list[str]:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return authenticator.wrap().get_unused_codes()


def secret_on_page(html: str) -> str:
    """The secret the activation page shows beside its QR code."""
    match = re.search(r'id="authenticator_secret" value="([A-Z2-7]+)"', html)
    assert match, "the activation page shows no secret"
    return match.group(1)


def inline_scripts(html: str) -> list[str]:
    """<script> elements that would run inline (no src, not a JSON data block): our CSP refuses them."""
    scripts = re.findall(r"<script\b([^>]*)>", html)
    return [attrs for attrs in scripts if "src=" not in attrs and 'type="application/json"' not in attrs]


class SignInMethods:
    """Collects how each sign-in was proved, as the audit log's SIGN_IN record reads it from the request."""

    def __init__(self) -> None:
        self.methods: list[str | None] = []

    def __call__(self, sender, request, user, **kwargs) -> None:
        self.methods.append(getattr(request, SIGN_IN_METHOD_ATTRIBUTE, None))

    def __enter__(self) -> SignInMethods:
        user_logged_in.connect(self, dispatch_uid="tests.sign_in_methods")
        return self

    def __exit__(self, *exc) -> None:
        user_logged_in.disconnect(dispatch_uid="tests.sign_in_methods")
