"""The one HTTP client for every request the server makes to a URL that someone typed.

Apps' request URLs (events, slash commands, interactivity) and, later, link previews are URLs
that workspace admins and members choose, so a request to one must not become a way into the
server's own network (server-side request forgery). Every request here:

- takes http or https URLs only, with a host and no user:password part;
- resolves the host itself and connects only to an address that is public: loopback, private,
  carrier-grade NAT, link-local (the cloud metadata service, 169.254.169.254), multicast,
  reserved and unspecified addresses are refused, IPv4-mapped and NAT64 forms included, unless
  the operator lists their network in OUTGOING_ALLOWED_NETWORKS. It connects to the very address
  it checked (no second lookup a rebinding DNS server could answer differently), sending the
  original Host and, over TLS, verifying the certificate for the original host name;
- follows no redirect (a 3xx is answered as it is: the caller sees a failure);
- gives up after `timeout` seconds to connect and for each read, and reads at most
  `max_response_bytes` of the answer.

Failures raise OutgoingError with a stable `reason` (Slack's retry reasons where Slack has one):
invalid_url, forbidden_address, connection_failed, http_timeout, tls_error, too_large.
An answer with any status is returned, not raised: the caller decides what a 500 means.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

logger = logging.getLogger(__name__)

URL_MAX_LENGTH = 2000
MAX_RESPONSE_BYTES = 1024 * 1024
CHUNK_BYTES = 64 * 1024
USER_AGENT = "Slackclone (+https://github.com/slackclone)"
# Public-looking ranges that lead back into private networks (NAT64, 6to4) or are set aside.
EXTRA_FORBIDDEN = tuple(
    ipaddress.ip_network(network)
    for network in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15")
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutgoingError(Exception):
    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class OutgoingResponse:
    status: int
    headers: Mapping[str, str]  # names in lower case
    body: bytes
    elapsed: float


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str


def _target(url: str) -> _Target:
    if not isinstance(url, str) or len(url) > URL_MAX_LENGTH:
        raise OutgoingError("invalid_url", "not a URL, or longer than 2,000 characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise OutgoingError("invalid_url", str(error)) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutgoingError("invalid_url", "only http and https URLs with a host")
    if parts.username is not None or parts.password is not None:
        raise OutgoingError("invalid_url", "a URL with a user name or password is not allowed")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path)


def address_allowed(address: IPAddress) -> bool:
    """Whether a request may go to this address: a public one, or one in OUTGOING_ALLOWED_NETWORKS."""
    if any(address in ipaddress.ip_network(n, strict=False) for n in settings.OUTGOING_ALLOWED_NETWORKS):
        return True
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address_allowed(address.ipv4_mapped)
    if any(address in network for network in EXTRA_FORBIDDEN):
        return False
    return address.is_global and not address.is_multicast


def _checked_address(target: _Target) -> str:
    """The first address of the host that the rule allows; the connection goes to it and no other."""
    try:
        found = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise OutgoingError("connection_failed", f"cannot resolve {target.host}: {error}") from None
    for *_, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if address_allowed(address):
            return str(address)
    raise OutgoingError("forbidden_address", f"{target.host} resolves only to addresses requests may not reach")


def _pool(target: _Target, address: str, timeout: float) -> urllib3.HTTPConnectionPool:
    limits = urllib3.Timeout(connect=timeout, read=timeout)
    if target.scheme == "http":
        return urllib3.HTTPConnectionPool(address, target.port, timeout=limits, retries=False, maxsize=1)
    return urllib3.HTTPSConnectionPool(
        address,
        target.port,
        timeout=limits,
        retries=False,
        maxsize=1,
        cert_reqs="CERT_REQUIRED",
        ca_certs=settings.OUTGOING_CA_BUNDLE or None,
        server_hostname=target.host,
        assert_hostname=target.host,
    )


def _host_header(target: _Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def _read_capped(response: urllib3.BaseHTTPResponse, limit: int, deadline: float) -> bytes:
    body = bytearray()
    for chunk in response.stream(CHUNK_BYTES, decode_content=True):
        body += chunk
        if len(body) > limit:
            raise OutgoingError("too_large", f"the answer is larger than {limit} bytes")
        if time.monotonic() > deadline:
            raise OutgoingError("http_timeout", "the answer took too long")
    return bytes(body)


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 3.0,
    max_response_bytes: int = MAX_RESPONSE_BYTES,
) -> OutgoingResponse:
    """Make one request under the rules above. Raises OutgoingError; any HTTP status is returned."""
    target = _target(url)
    address = _checked_address(target)
    sent = {"User-Agent": USER_AGENT, **(headers or {}), "Host": _host_header(target)}
    started = time.monotonic()
    pool = _pool(target, address, timeout)
    try:
        response = pool.urlopen(
            method, target.path, body=body, headers=sent, redirect=False, preload_content=False,
            assert_same_host=False, retries=False,
        )  # fmt: skip
        try:
            content = _read_capped(response, max_response_bytes, started + 2 * timeout)
        finally:
            response.release_conn()
    except NewConnectionError as error:  # before ConnectTimeoutError, which urllib3 makes its base class
        raise OutgoingError("connection_failed", str(error)) from None
    except (ConnectTimeoutError, ReadTimeoutError) as error:
        raise OutgoingError("http_timeout", str(error)) from None
    except SSLError as error:
        raise OutgoingError("tls_error", str(error)) from None
    except (ProtocolError, HTTPError, OSError) as error:
        raise OutgoingError("connection_failed", str(error)) from None
    finally:
        pool.close()
    elapsed = time.monotonic() - started
    logger.info("%s %s -> %s in %.0f ms", method, target.host, response.status, elapsed * 1000)
    found = {name.lower(): value for name, value in response.headers.items()}
    return OutgoingResponse(response.status, found, content, elapsed)


def post(url: str, *, body: bytes, headers: Mapping[str, str] | None = None, timeout: float = 3.0) -> OutgoingResponse:
    return request("POST", url, body=body, headers=headers, timeout=timeout)
