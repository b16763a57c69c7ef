"""Signing a test client in as a person would be after the login form: Django's session, and allauth's note of
how and when they proved who they are (a password, just now), which the "recent sign-in" rules read."""

from __future__ import annotations

import time

from allauth.account.internal.flows import login as allauth_login
from allauth.account.internal.userkit import user_id_to_str
from django.test import Client


def sign_in(client: Client, user, *, seconds_ago: float = 0, methods: tuple[str, ...] = ("password",)) -> None:
    """force_login, then record `methods` as done `seconds_ago` (older than 10 minutes is not recent)."""
    client.force_login(user)
    session = client.session
    at = time.time() - seconds_ago
    session[allauth_login.AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": m, "at": at} for m in methods]
    session[allauth_login._AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()
