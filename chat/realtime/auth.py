"""Who is on a socket: the browser's session cookie, a bot's `Authorization: Bearer <token>`,
or the one-time `?ticket=` that rtm.connect hands out for a token.

A cookie is sent by the browser to any page's WebSocket, so a cookie-authenticated handshake
must come from an allowed Origin (the site's own hosts, ALLOWED_HOSTS, or CSRF_TRUSTED_ORIGINS):
otherwise another site could open a socket as the victim (cross-site WebSocket hijacking) and
the handshake is refused outright. A token is never sent by a browser on its own, so a
token-authenticated handshake needs no Origin (bots send none).

`authenticate` only decides; the consumer refuses a foreign Origin's handshake and closes an
unauthenticated socket with 4401 before it sends anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib.auth import get_user as session_user
from django.http.request import split_domain_port, validate_host
from django.utils.module_loading import import_string

from chat.realtime.queries import in_thread
from slackclone.errors import DomainError

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True, slots=True)
class SocketAuth:
    """Who the socket is (the user's key and public id, not the model: a socket lives long and
    thousands share a process), and for a token the one workspace (key) it acts in."""

    user_pk: int | None
    user_public_id: str
    method: str  # "session", "token" or "none"
    workspace_id: int | None = None
    problem: str = ""
    token_id: int | None = None  # the API token's key, so revoking it closes this socket

    @classmethod
    def of(
        cls,
        user: User | None,
        method: str,
        workspace_id: int | None = None,
        problem: str = "",
        token_id: int | None = None,
    ) -> SocketAuth:
        if user is None:
            return cls(None, "", "none", None, problem or "invalid_auth")
        return cls(user.pk, user.public_id, method, workspace_id, "", token_id)


def _headers(scope: dict[str, Any]) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in scope.get("headers", [])}


def _allowed_hosts() -> list[str]:
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:
        hosts = [".localhost", "127.0.0.1", "[::1]"]
    return hosts


def origin_allowed(origin: str) -> bool:
    """The Origin is one of our own hosts (ALLOWED_HOSTS) or listed in CSRF_TRUSTED_ORIGINS.

    Trusted origins may use a leading wildcard for subdomains, as Django's CSRF check allows.
    """
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    host, _port = split_domain_port(parts.netloc)
    if host and validate_host(host, _allowed_hosts()):
        return True
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        trusted_parts = urlsplit(trusted)
        if trusted_parts.scheme != parts.scheme:
            continue
        if trusted_parts.netloc == parts.netloc:
            return True
        if trusted_parts.netloc.startswith("*.") and parts.netloc.endswith(trusted_parts.netloc[1:]):
            return True
    return False


def _session_key(headers: dict[bytes, bytes]) -> str | None:
    raw = headers.get(b"cookie")
    if not raw:
        return None
    cookie = SimpleCookie()
    try:
        cookie.load(raw.decode("latin1"))
    except CookieError:
        return None
    morsel = cookie.get(settings.SESSION_COOKIE_NAME)
    return morsel.value if morsel else None


def _user_from_session(session_key: str) -> User | None:
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")(session_key)
    # django.contrib.auth.get_user checks the backend, the session hash and is_active, as a request would.
    user = session_user(SimpleNamespace(session=store))
    return user if user.is_authenticated else None


def _socket_auth_from_token(raw: str) -> SocketAuth:
    from accounts.services import api_token_identify

    try:
        identity = api_token_identify(raw)
    except DomainError as exc:
        return SocketAuth.of(None, "none", problem=exc.code.value)
    return SocketAuth(
        identity.user_pk, identity.user_public_id, "token", identity.workspace_id, token_id=identity.token_pk
    )


@in_thread
def authenticate(scope: dict[str, Any]) -> SocketAuth | None:
    """The socket's identity; None means refuse the handshake (a cookie from a foreign Origin)."""
    headers = _headers(scope)
    authorization = headers.get(b"authorization", b"").decode("latin1")
    if authorization:
        scheme, _, raw = authorization.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            return SocketAuth.of(None, "none", problem="invalid_auth")
        return _socket_auth_from_token(raw.strip())
    ticket = parse_qs(scope.get("query_string", b"").decode("latin1")).get("ticket")
    if ticket is not None:
        # rtm.connect's one-time ticket stands for its API token: like a Bearer token, no Origin needed.
        from chat.realtime.tickets import ticket_redeem

        token = ticket_redeem(ticket[0])
        if token is None:
            return SocketAuth.of(None, "none", problem="invalid_auth")
        return SocketAuth.of(token.user, "token", token.workspace_id, token_id=token.pk)
    session_key = _session_key(headers)
    if session_key is None:
        return SocketAuth.of(None, "none", problem="not_authed")
    origin = headers.get(b"origin", b"").decode("latin1")
    if not origin_allowed(origin):
        return None
    return SocketAuth.of(_user_from_session(session_key), "session")


async def refuse_handshake(receive, send) -> None:
    """Close before accepting: the handshake fails (HTTP 403) and a foreign page learns nothing."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 4403})
