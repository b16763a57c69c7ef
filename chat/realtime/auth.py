"""Who is on a socket: the browser's session cookie, a bot's `Authorization: Bearer <token>`,
or the one-time `?ticket=` that rtm.connect hands out for a token.

A cookie is sent by the browser to any page's WebSocket, so a cookie-authenticated handshake
must come from an allowed Origin (the site's own hosts, ALLOWED_HOSTS, or CSRF_TRUSTED_ORIGINS):
otherwise another site could open a socket as the victim (cross-site WebSocket hijacking) and
the handshake is refused outright. A token is never sent by a browser on its own, so a
token-authenticated handshake needs no Origin (bots send none).

The middleware only decides and records; the consumer closes an unauthenticated socket with
4401 before it sends anything else.
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

    @classmethod
    def of(cls, user: User | None, method: str, workspace_id: int | None = None, problem: str = "") -> SocketAuth:
        if user is None:
            return cls(None, "", "none", None, problem or "invalid_auth")
        return cls(user.pk, user.public_id, method, workspace_id, "")


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


def _user_from_token(raw: str) -> tuple[User | None, int | None, str]:
    from accounts.services import api_token_authenticate

    try:
        token = api_token_authenticate(raw)
    except DomainError as exc:
        return None, None, exc.code.value
    return token.user, token.workspace_id, ""


@in_thread
def authenticate(scope: dict[str, Any]) -> SocketAuth | None:
    """The socket's identity; None means refuse the handshake (a cookie from a foreign Origin)."""
    headers = _headers(scope)
    authorization = headers.get(b"authorization", b"").decode("latin1")
    if authorization:
        scheme, _, raw = authorization.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            return SocketAuth.of(None, "none", problem="invalid_auth")
        user, workspace_id, problem = _user_from_token(raw.strip())
        return SocketAuth.of(user, "token", workspace_id, problem)
    ticket = parse_qs(scope.get("query_string", b"").decode("latin1")).get("ticket")
    if ticket is not None:
        # rtm.connect's one-time ticket stands for its API token: like a Bearer token, no Origin needed.
        from chat.realtime.tickets import ticket_redeem

        token = ticket_redeem(ticket[0])
        if token is None:
            return SocketAuth.of(None, "none", problem="invalid_auth")
        return SocketAuth.of(token.user, "token", token.workspace_id)
    session_key = _session_key(headers)
    if session_key is None:
        return SocketAuth.of(None, "none", problem="not_authed")
    origin = headers.get(b"origin", b"").decode("latin1")
    if not origin_allowed(origin):
        return None
    return SocketAuth.of(_user_from_session(session_key), "session")


class SocketAuthMiddleware:
    """ASGI middleware for the gateway: puts a SocketAuth in scope["auth"], or refuses the handshake.

    It is also the gateway's router (one path, so no URLRouter): a socket is long-lived, and each
    routing layer would keep its own copy of the scope and a frame alive for as long as it is open.
    """

    def __init__(self, inner, *, path: str = "/ws/"):
        self.inner = inner
        self.path = path

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            raise ValueError(f"The gateway serves WebSockets only, not {scope['type']}")
        auth = await authenticate(scope) if scope["path"] in (self.path, self.path.rstrip("/")) else None
        if auth is None:
            # Closing before accepting refuses the handshake (HTTP 403): a foreign page learns nothing.
            message = await receive()
            if message["type"] == "websocket.connect":
                await send({"type": "websocket.close", "code": 4403})
            return None
        scope["auth"] = auth  # the scope is this connection's own (the server made it for this socket)
        return await self.inner(scope, receive, send)
