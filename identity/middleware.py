"""When each session was last seen, kept without a write on every request.

allauth's own tracking (USERSESSIONS_TRACK_ACTIVITY) reads and writes the session's row on every
signed-in request. Here the row is refreshed at most once per SESSION_SEEN_INTERVAL per session: a
cache key (Redis on the real stack) remembers that it was, so most requests cost one cache round
trip and no SQL. "Last seen" on the sessions page is therefore accurate to that interval.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse


def _seen_key(session_key: str) -> str:
    return f"usersession-seen:{session_key}"


def note_session_seen(session_key: str) -> bool:
    """True when this session's row is due for a refresh (and now counts as refreshed)."""
    return bool(cache.add(_seen_key(session_key), 1, timeout=settings.SESSION_SEEN_INTERVAL))


class SessionActivityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = getattr(request, "user", None)
        session = getattr(request, "session", None)
        key = session.session_key if session is not None else None
        if user is not None and user.is_authenticated and key and note_session_seen(key):
            UserSession.objects.create_from_request(request, user=user, session=session)
        return self.get_response(request)


def record_session_at_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Every way in (our sign-in page, the API's session login, the Django admin, single sign-on) lists
    the new session at once, so its first request has nothing left to record. A sign-in made without a
    client (a test's force_login) is listed at its first request instead."""
    session = getattr(request, "session", None)
    if request is None or session is None or not request.META.get("REMOTE_ADDR"):
        return
    if not session.session_key:
        session.save()
    UserSession.objects.create_from_request(request, user=user, session=session)
    cache.set(_seen_key(session.session_key), 1, timeout=settings.SESSION_SEEN_INTERVAL)
