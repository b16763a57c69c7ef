"""The request an audit event happens in, for events recorded far from the view that received it.

Services and signal receivers record events without a request in hand (a role change, a revoked token, a
password saved by the reset form). AuditRequestMiddleware keeps the current request in a context variable for
the length of the request, so audit_record can still say from which address and browser it came, and who was
signed in. Outside a request (Celery tasks, management commands, WebSocket frames) there is none.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest

_current_request: ContextVar[HttpRequest | None] = ContextVar("audit_current_request", default=None)

_channel: ContextVar[dict[str, Any] | None] = ContextVar("audit_channel", default=None)

SIGN_IN_METHOD_ATTRIBUTE = "_audit_sign_in_method"


@contextmanager
def recorded_as(**details: Any) -> Iterator[None]:
    """Say how the changes made inside come about (`method="scim", token="Y..."`, `method="ldap_sync"`): every
    event recorded inside carries these details, so a membership change is recorded once, by the membership
    service, and still names the provisioning that made it."""
    token = _channel.set({**(_channel.get() or {}), **details})
    try:
        yield
    finally:
        _channel.reset(token)


_signing_recorded_by_caller: ContextVar[bool] = ContextVar("audit_signing_recorded_by_caller", default=False)


@contextmanager
def sessions_ending_recorded_by_caller() -> Iterator[None]:
    """The caller records the sessions it ends itself (with the workspace and how many), so the record that
    a re-signed account otherwise gets (audit.receivers) is not made a second time."""
    token = _signing_recorded_by_caller.set(True)
    try:
        yield
    finally:
        _signing_recorded_by_caller.reset(token)


def sessions_ending_is_recorded_by_caller() -> bool:
    return _signing_recorded_by_caller.get()


def recorded_details() -> dict[str, Any]:
    return dict(_channel.get() or {})


def current_request() -> HttpRequest | None:
    """The request being served on this thread or task, if any."""
    return _current_request.get()


def set_sign_in_method(request: HttpRequest, method: str) -> None:
    """Say how the person about to be signed in proved who they are ("email_link", "invitation",
    "oidc:<slug>", ...); call it before django.contrib.auth.login. Without it the sign-in is recorded by its
    authentication backend ("password" for the email and password backend)."""
    setattr(request, SIGN_IN_METHOD_ATTRIBUTE, method)


def sign_in_method(request: HttpRequest | None) -> str | None:
    return getattr(request, SIGN_IN_METHOD_ATTRIBUTE, None) if request is not None else None


class AuditRequestMiddleware:
    """Makes the request current for audit_record while the view (and everything it calls) runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
