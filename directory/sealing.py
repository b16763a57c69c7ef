"""The bind password, which the server must send to the directory: encrypted at rest under a key derived
from SECRET_KEY with a purpose of its own (the same scheme as slack_apps.sealing; see there for rotation)."""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PURPOSE = b"slackclone.directory.bind_password"


@functools.lru_cache(maxsize=8)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in keys])


def seal(value: str) -> str:
    return _keys().encrypt(value.encode()).decode() if value else ""


def unseal(sealed: str) -> str:
    """The password, or "" when none is stored or it was sealed under a key no longer configured."""
    if not sealed:
        return ""
    try:
        return _keys().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return ""
