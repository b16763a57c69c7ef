"""Secrets the server must read back (an app's signing secret, which signs every request it sends the
app): encrypted at rest with a key derived from SECRET_KEY.

Fernet (AES-128-CBC with HMAC-SHA256) under a key derived by HKDF-SHA256 from SECRET_KEY, with a
purpose of its own, so the key serves nothing else Django signs. A database dump alone does not
reveal the secrets; a dump with SECRET_KEY does. Changing SECRET_KEY: keep the old key in
SECRET_KEY_FALLBACKS until every app's secret has been rotated (or re-sealed), as Django asks for
sessions; unsealing tries each key in turn.
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PURPOSE = b"slackclone.slack_apps.sealing"


class UnsealError(Exception):
    """The sealed value was made under a key that is no longer configured (or was tampered with)."""


@functools.lru_cache(maxsize=8)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in keys])


def seal(value: str) -> str:
    return _keys().encrypt(value.encode()).decode()


@functools.lru_cache(maxsize=1024)
def unseal(sealed: str) -> str:
    """The secret inside `sealed` (remembered: every request an app is sent is signed with it)."""
    try:
        return _keys().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise UnsealError("This secret was sealed under a key that is not configured; rotate it.") from None
