"""Who is on a socket: the browser's session cookie, a bot's `Authorization: Bearer <token>`,
or the one-time `?ticket=` that rtm.connect hands out for a token.

A cookie is sent by the browser to any page's WebSocket, so a cookie-authenticated handshake
must come from one of the site's own origins (`origin_allowed`): otherwise another site could
open a socket as the victim (cross-site WebSocket hijacking) and the handshake is refused
outright. An origin is a scheme, a host and a port, all three compared: another port of the same
host is another site (a developer's server on localhost, say). A token is never sent by a browser on its own, so a
token-authenticated handshake needs no Origin (bots send none).

`authenticate` only decides; the connection refuses a foreign Origin's handshake and closes an
unauthenticated socket with 4401 before it sends anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib.auth import get_user as session_user
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain
from django.utils.module_loading import import_string

from realtime.calls import in_thread
from realtime.transport import session_tag
from slackclone.errors import DomainError

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User
    from realtime.asgi_types import Receive, Send


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
    session_tag: str = ""  # for a session's socket, transport.session_tag: ending that session closes it
    # A session's socket stays out of the workspaces whose sign-in policy this session does not meet.
    barred_workspaces: tuple[int, ...] = ()
    expires_at: float | None = None  # when a workspace's session length runs out for this session

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


DEFAULT_PORTS = {"http": 80, "https": 443}
# The page origin's scheme that goes with the socket's own: ws:// from http pages, wss:// from https.
_PAGE_SCHEMES = {"ws": "http", "wss": "https"}

Origin = tuple[str, str, int]  # scheme, host (lowercase, IPv6 without brackets), port


def _split_origin(value: str) -> tuple[Origin, str] | None:
    """(scheme, host, port) of an http(s) URL, with the scheme's default port, and what follows the host.

    None for anything else, a bad port included."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    rest = parts.path + parts.query + parts.fragment + ("@" if "@" in parts.netloc else "")
    return (parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme]), rest


def _site_origins(scope: dict[str, Any]) -> set[Origin]:
    """The origin the socket was opened on (its Host, when ALLOWED_HOSTS names it, with the socket's
    scheme) and SITE_URL's. The scheme is the one the ASGI server reports: behind a proxy that ends
    TLS, the server's own trusted-proxy setting decides whether X-Forwarded-Proto counts."""
    origins = set()
    page_scheme = _PAGE_SCHEMES.get(scope.get("scheme") or "ws")
    host = _headers(scope).get(b"host", b"").decode("latin1")
    domain, _port = split_domain_port(host)
    if page_scheme and domain and validate_host(domain, _allowed_hosts()):
        own = _split_origin(f"{page_scheme}://{host}")
        if own is not None and not own[1]:
            origins.add(own[0])
    site = _split_origin(settings.SITE_URL)
    if site is not None:
        origins.add(site[0])
    return origins


def _trusted(origin: Origin) -> bool:
    """Listed in CSRF_TRUSTED_ORIGINS, read as Django's CSRF check reads it (`https://*.example.com` for
    any subdomain, and example.com itself), the port compared too."""
    scheme, host, port = origin
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        parsed = _split_origin(trusted)
        if parsed is None:
            continue
        trusted_scheme, trusted_host, trusted_port = parsed[0]
        if (trusted_scheme, trusted_port) != (scheme, port):
            continue
        if trusted_host == host or (trusted_host.startswith("*.") and is_same_domain(host, trusted_host[1:])):
            return True
    return False


def origin_allowed(origin: str, scope: dict[str, Any]) -> bool:
    """The Origin header names one of the site's own origins: scheme, host and port all equal.

    Ours are the one the socket was opened on, SITE_URL's, and CSRF_TRUSTED_ORIGINS. An Origin is
    only `scheme://host[:port]`; anything else (`null`, a path, credentials) is nobody's.
    """
    parsed = _split_origin(origin)
    if parsed is None or parsed[1]:
        return False
    return parsed[0] in _site_origins(scope) or _trusted(parsed[0])


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


def _socket_auth_from_session(session_key: str) -> SocketAuth:
    from identity.policy import socket_limits

    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")(session_key)
    # django.contrib.auth.get_user checks the backend, the session hash and is_active, as a request would.
    user = session_user(cast("HttpRequest", SimpleNamespace(session=store)))  # it reads request.session only
    if not user.is_authenticated:
        return SocketAuth.of(None, "session")
    barred, expires_at = socket_limits(user, store)
    return SocketAuth(
        user.pk,
        user.public_id,
        "session",
        session_tag=session_tag(session_key),
        barred_workspaces=tuple(barred),
        expires_at=expires_at,
    )


def _socket_auth_from_token(raw: str) -> SocketAuth:
    from workspaces.tokens import api_token_identify

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
        from realtime.tickets import ticket_redeem

        token = ticket_redeem(ticket[0])
        if token is None:
            return SocketAuth.of(None, "none", problem="invalid_auth")
        return SocketAuth.of(token.user, "token", token.workspace_id, token_id=token.pk)
    session_key = _session_key(headers)
    if session_key is None:
        return SocketAuth.of(None, "none", problem="not_authed")
    origin = headers.get(b"origin", b"").decode("latin1")
    if not origin_allowed(origin, scope):
        return None
    return _socket_auth_from_session(session_key)


async def refuse_handshake(receive: Receive, send: Send) -> None:
    """Close before accepting: the handshake fails (HTTP 403) and a foreign page learns nothing."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 4403})
