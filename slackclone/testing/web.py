"""Test helpers for the server-rendered pages: a browser-like Django test client per test.

Each client comes from a loopback address of its own, so the per-address sign-in limit
(settings.API_AUTH_RATE) never couples two tests.
"""

from __future__ import annotations

import re

from django.test import Client

from accounts.models import User
from slackclone.testing.api import _next_address
from slackclone.testing.signin import sign_in

CSRF_INPUT_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def web_client(user: User | None = None, *, enforce_csrf_checks: bool = False) -> Client:
    """A Client signed in as `user` (or signed out), from an address no other client uses."""
    client = Client(enforce_csrf_checks=enforce_csrf_checks, REMOTE_ADDR=_next_address())
    if user is not None:
        sign_in(client, user)
    return client


def csrf_from(response) -> str:
    """The CSRF token a page's form carries, as a browser would submit it."""
    match = CSRF_INPUT_RE.search(response.content.decode())
    assert match, "the page has no CSRF token in a form"
    return match.group(1)


def image_upload(name: str = "photo.jpg", *, size: tuple[int, int] = (800, 600), fmt: str = "JPEG"):
    """An uploaded image file made by Pillow, for avatar and icon forms."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (97, 31, 105)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")
