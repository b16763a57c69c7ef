"""Every HTTP request the server makes goes through here: Slack apps' event deliveries, slash commands and
interactivity, and anything else that fetches a URL someone typed in.

Those URLs come from workspace admins, so a request is a way to reach whatever the server can reach. The client
therefore:

* takes only http and https URLs with a host name, no user name or password, and at most URL_MAX_CHARS;
* resolves the host itself and refuses the request (`forbidden_address`) if ANY address it resolves to is
  loopback, private, carrier-grade NAT, link-local (169.254.169.254, where clouds serve credentials, among
  them), multicast, reserved or unspecified, IPv4 addresses written as IPv6 included, unless it lies in one of
  settings.OUTGOING_ALLOWED_NETWORKS;
* connects to the address it checked, never resolving again (a second answer could point elsewhere: DNS
  rebinding), and sends the URL's host as Host and, over TLS, as SNI, verifying the certificate against it;
  the connection is kept open for the next request to that same checked address (slackclone.outgoing_pool);
* follows no redirect: a 3xx is returned like any other status, so the caller decides, and nothing is ever
  sent to a host nobody checked;
* ends the whole exchange after `timeout` seconds, however slowly the server trickles its answer, and stops
  reading a body past `max_response_bytes` (`too_large`), so a hostile server holds neither a worker nor its
  memory. The body is returned as sent, never decompressed (identity is asked for);
* logs the method, scheme, host, port, status and duration of each request, never its path, query or body,
  which may carry tokens.

Failures raise OutgoingError with a stable `reason` (REASONS) that callers map to their own answers, such as
Slack's retry reasons. A non-2xx status is not a failure: the caller reads `status`. Host name resolution is
the system resolver's and is not counted in `timeout`.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import http.client
import ipaddress
import itertools
import logging
import os
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from django.conf import settings
from urllib3 import BaseHTTPResponse
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError, NewConnectionError, SSLError
from urllib3.exceptions import TimeoutError as Urllib3TimeoutError
from urllib3.util.ssl_match_hostname import CertificateError

from slackclone.outgoing_pool import Key, idle_connections

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

REASONS = frozenset({"invalid_url", "forbidden_address", "connection_failed", "http_timeout", "tls_error", "too_large"})
URL_MAX_CHARS = 2048
DEFAULT_TIMEOUT_SECONDS = 3.0  # what Slack gives an app to answer an event or a command
DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024
READ_CHUNK_BYTES = 64 * 1024
WATCHDOG_SLACK_SECONDS = 0.01
# Where clouds serve instance metadata and credentials. Each is also link-local, private or carrier-grade NAT;
# named here so that no change in how the standard library classifies addresses can let one through.
METADATA_NETWORKS = tuple(
    ipaddress.ip_network(network) for network in ("169.254.169.254/32", "fd00:ec2::254/128", "100.100.100.200/32")
)
# IPv6 prefixes that carry an IPv4 address a relay may deliver to: judged by that address too.
SIXTO4_NETWORK = ipaddress.ip_network("2002::/16")
# Headers the client writes itself: the checked host, the body's exact length, keep-alive.
CLIENT_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})
_HOST_NAME_RE = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$")
_CONTROL_OR_SPACE_RE = re.compile(r"[\x00-\x20\x7f]")
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]+")


class OutgoingError(Exception):
    """A request that got no usable answer. `reason` is one of REASONS; the message is for logs."""

    def __init__(self, reason: str, message: str) -> None:
        assert reason in REASONS, reason
        super().__init__(f"{reason}: {message}")
        self.reason = reason


@dataclass(frozen=True)
class OutgoingResponse:
    """What the server answered. Header names are lower case; repeated headers are joined with ", "."""

    status: int
    headers: dict[str, str]
    body: bytes
    elapsed: float  # seconds, from resolving the host to the last byte read


@dataclass(frozen=True)
class Target:
    """A URL that passed check_url: what to resolve, what to send as Host (and SNI), and the request target."""

    scheme: str
    host: str  # lower case, ASCII (IDNA), without brackets or a trailing dot
    port: int
    path: str  # path and query, as sent on the request line

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default_port = 443 if self.scheme == "https" else 80
        return host if self.port == default_port else f"{host}:{self.port}"

    @property
    def origin(self) -> str:
        """Scheme, host and port: all of the URL that is safe to log."""
        return f"{self.scheme}://{self.host_header}"


def get(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
) -> OutgoingResponse:
    """GET `url`: request() without a body."""
    return request("GET", url, headers=headers, timeout=timeout, max_response_bytes=max_response_bytes)


def post(
    url: str,
    *,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
) -> OutgoingResponse:
    """POST `body`, byte for byte, to `url`: request() with a body."""
    return request("POST", url, body=body, headers=headers, timeout=timeout, max_response_bytes=max_response_bytes)


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    connect_timeout: float | None = None,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
) -> OutgoingResponse:
    """Send one request and read its answer within `timeout` seconds in all (each connection attempt within
    `connect_timeout`, by default `timeout`). Raises OutgoingError; a caller that sets a header the client
    writes itself (CLIENT_HEADERS) gets ValueError."""
    target = check_url(url)
    request_headers = _request_headers(target, headers or {})
    started = time.monotonic()
    try:
        addresses = resolve(target)
        status, response_headers, content = _exchange(
            method,
            target,
            addresses,
            body=body,
            headers=request_headers,
            deadline=started + timeout,
            connect_timeout=min(connect_timeout or timeout, timeout),
            max_response_bytes=max_response_bytes,
        )
    except OutgoingError as exc:
        logger.info("outgoing %s %s failed (%s) in %d ms", method, target.origin, exc.reason, _ms_since(started))
        raise
    elapsed = time.monotonic() - started
    logger.info("outgoing %s %s -> %d in %d ms", method, target.origin, status, round(elapsed * 1000))
    return OutgoingResponse(status=status, headers=response_headers, body=content, elapsed=elapsed)


def check_url(url: str) -> Target:
    """`url` as a Target, or OutgoingError("invalid_url"): http or https, a host, no credentials, a port that
    exists, no spaces or control characters, at most URL_MAX_CHARS. Non-ASCII in the path is percent-encoded,
    a non-ASCII host IDNA-encoded."""
    if len(url) > URL_MAX_CHARS:
        raise OutgoingError("invalid_url", f"longer than {URL_MAX_CHARS} characters")
    if _CONTROL_OR_SPACE_RE.search(url):
        raise OutgoingError("invalid_url", "spaces or control characters")
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"}:
        raise OutgoingError("invalid_url", "only http and https URLs")
    if "@" in parts.netloc:
        raise OutgoingError("invalid_url", "a user name or password in the URL")
    try:
        port = parts.port
    except ValueError as exc:
        raise OutgoingError("invalid_url", "an invalid port") from exc
    scheme = parts.scheme.lower()
    if port == 0:
        raise OutgoingError("invalid_url", "port 0")
    path = _NON_ASCII_RE.sub(lambda match: quote(match.group()), parts.path or "/")
    query = _NON_ASCII_RE.sub(lambda match: quote(match.group()), parts.query)
    return Target(
        scheme=scheme,
        host=_check_host(parts.hostname or ""),
        port=port or (443 if scheme == "https" else 80),
        path=f"{path}?{query}" if query else path,
    )


def _check_host(host: str) -> str:
    if not host:
        raise OutgoingError("invalid_url", "no host")
    with contextlib.suppress(ValueError):
        return str(ipaddress.ip_address(host))
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise OutgoingError("invalid_url", "a host name that is not a valid domain name") from exc
    if len(ascii_host) > 253 or not _HOST_NAME_RE.match(ascii_host):
        raise OutgoingError("invalid_url", "a host name that is not a valid domain name")
    return ascii_host.rstrip(".")


def resolve(target: Target) -> list[str]:
    """The addresses `target.host` resolves to, once, every one of them checked: OutgoingError
    ("forbidden_address") if any is refused, even when others would do, since a resolver that mixes a public
    and a private answer is one to distrust."""
    try:
        answers = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutgoingError("connection_failed", f"{target.host} does not resolve") from exc
    addresses = list(dict.fromkeys(str(answer[4][0]) for answer in answers))
    networks = allowed_networks()
    refused = [address for address in addresses if not address_is_allowed(address, networks)]
    if refused or not addresses:
        raise OutgoingError("forbidden_address", f"{target.host} resolves to a refused address")
    return addresses


def address_is_allowed(address: str | IPAddress, allowed: Iterable[IPNetwork] = ()) -> bool:
    """Whether the server may connect to `address`: any address inside an `allowed` network, and otherwise
    only globally routable unicast ones. An IPv4 address written as IPv6 (::ffff:a.b.c.d, or inside 6to4's
    2002::/16) is judged as that IPv4 address too."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    forms = [ip, *_embedded_ipv4(ip)]
    allowed = tuple(allowed)
    if any(form in network for form in forms for network in allowed if form.version == network.version):
        return True
    return not any(_is_special(form) for form in forms)


def _embedded_ipv4(ip: IPAddress) -> list[ipaddress.IPv4Address]:
    if ip.version == 4:
        return []
    embedded = [ip.ipv4_mapped, ip.sixtofour]
    return [address for address in embedded if address is not None]


def _is_special(ip: IPAddress) -> bool:
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (ip.version == 6 and ip.is_site_local)
        or any(ip in network for network in METADATA_NETWORKS if network.version == ip.version)
    )


def allowed_networks() -> tuple[IPNetwork, ...]:
    """settings.OUTGOING_ALLOWED_NETWORKS, parsed (settings.py has already refused a malformed one)."""
    return _parse_networks(tuple(settings.OUTGOING_ALLOWED_NETWORKS))


@functools.lru_cache(maxsize=8)
def _parse_networks(networks: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(network, strict=False) for network in networks)


def user_agent() -> str:
    return f"Slackclone/1.0 (+{settings.SITE_URL})"


def _request_headers(target: Target, headers: Mapping[str, str]) -> dict[str, str]:
    owned = CLIENT_HEADERS.intersection(name.lower() for name in headers)
    if owned:
        raise ValueError(f"the outgoing client sets {', '.join(sorted(owned))} itself")
    return {
        "User-Agent": user_agent(),
        **headers,
        "Host": target.host_header,
        "Connection": "keep-alive",
    }


class _Watchdog:
    """One thread per process that calls each scheduled function at its time (a thread per request would
    cost more than the request). Started on first use, and again in a forked child, which has no threads."""

    def __init__(self) -> None:
        self._due: list[tuple[float, int, list[Callable[[], None] | None]]] = []
        self._sequence = itertools.count()
        self._wakeup = threading.Condition()
        self._pid = 0

    def schedule(self, at: float, function: Callable[[], None]) -> list[Callable[[], None] | None]:
        """Call `function` at `at` (a time.monotonic() value) unless cancel() is given what this returns."""
        entry: list[Callable[[], None] | None] = [function]
        with self._wakeup:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._due = []
                threading.Thread(target=self._run, name="outgoing-deadlines", daemon=True).start()
            heapq.heappush(self._due, (at, next(self._sequence), entry))
            if self._due[0][2] is entry:
                self._wakeup.notify()
        return entry

    @staticmethod
    def cancel(entry: list[Callable[[], None] | None]) -> None:
        entry[0] = None  # dropped when its time comes

    def _run(self) -> None:
        while True:
            with self._wakeup:
                while not self._due or self._due[0][0] > time.monotonic():
                    # Up to WATCHDOG_SLACK_SECONDS late, so that one wakeup serves the deadlines close together.
                    wait = self._due[0][0] - time.monotonic() + WATCHDOG_SLACK_SECONDS if self._due else None
                    self._wakeup.wait(wait)
                now = time.monotonic()
                due = []
                while self._due and self._due[0][0] <= now:
                    due.append(heapq.heappop(self._due)[2][0])
            for function in due:
                if function is not None:
                    with contextlib.suppress(Exception):
                        function()


_watchdog = _Watchdog()


class _Deadline:
    """Ends an exchange that outlives its time. A socket timeout bounds each read, not their sum: a server
    that sends a byte a second would hold the request for as long as it liked. At the deadline this shuts the
    connection's socket down from the watchdog's thread, which wakes the blocked read with an error."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.expired = False
        self._connection: HTTPConnection | None = None
        self._socket: socket.socket | None = None
        self._entry: list[Callable[[], None] | None] = []

    def __enter__(self) -> _Deadline:
        self._entry = _watchdog.schedule(self.deadline, self._expire)
        return self

    def __exit__(self, *exc_info: object) -> None:
        _watchdog.cancel(self._entry)

    def watch(self, connection: HTTPConnection) -> None:
        """Shut `connection` down at the deadline: while it connects, whatever socket it has then; once it
        has connected, the socket it connected with, which http.client drops from the connection (but the
        response still reads from) when the server says it will close."""
        self._connection = connection
        self._socket = None

    def connected(self, connection: HTTPConnection) -> None:
        self._socket = connection.sock

    def remaining(self) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0 or self.expired:
            raise OutgoingError("http_timeout", "no complete answer in time")
        return remaining

    def _expire(self) -> None:
        self.expired = True
        sock = self._socket or (self._connection.sock if self._connection is not None else None)
        if sock is not None:
            # socket.socket's own shutdown, not SSLSocket's, which would drop its TLS state under the reader.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


# A kept connection the server has closed meanwhile fails like this on its next request, before any answer.
_CLOSED_WHILE_KEPT = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


def _exchange(
    method: str,
    target: Target,
    addresses: list[str],
    *,
    body: bytes | None,
    headers: dict[str, str],
    deadline: float,
    connect_timeout: float,
    max_response_bytes: int,
) -> tuple[int, dict[str, str], bytes]:
    """The status, headers and body of the answer, within `deadline` (a time.monotonic() value), on a kept
    connection to one of `addresses` (slackclone.outgoing_pool) or a new one."""
    with _Deadline(deadline) as timer:
        connection = _kept_connection(target, addresses, timer)
        kept = connection is not None
        if connection is None:
            connection = _connect(target, addresses, timer, connect_timeout)
        reusable = False
        try:
            try:
                response = _send(connection, method, target, body, headers)
            except _CLOSED_WHILE_KEPT:
                if not kept or timer.expired:
                    raise
                connection.close()
                connection = _connect(target, addresses, timer, connect_timeout)
                response = _send(connection, method, target, body, headers)
            content = _read_body(response, max_response_bytes, timer)
            reusable = _reusable(response) and not timer.expired
        except OutgoingError:
            raise
        except Exception as exc:
            raise _failure(exc, timer) from exc
        finally:
            if not reusable:
                connection.close()
    if reusable:  # once its deadline is called off, so the watchdog cannot cut it while it is kept
        idle_connections.give_back(_pool_key(target, connection.host), connection)
    return response.status, {name.lower(): value for name, value in response.headers.itermerged()}, content


def _send(
    connection: HTTPConnection, method: str, target: Target, body: bytes | None, headers: dict[str, str]
) -> BaseHTTPResponse:
    connection.request(method, target.path, body=body, headers=headers, preload_content=False)
    return connection.getresponse()


def _pool_key(target: Target, address: str) -> Key:
    return (target.scheme, target.host, target.port, address)


def _kept_connection(target: Target, addresses: list[str], timer: _Deadline) -> HTTPConnection | None:
    for address in addresses:
        connection = idle_connections.take(_pool_key(target, address))
        if connection is not None:
            timer.watch(connection)
            timer.connected(connection)
            return connection
    return None


def _reusable(response: BaseHTTPResponse) -> bool:
    """Whether the connection may carry another request: HTTP/1.1, the answer read whole and not saying it
    closes (http.client's own reading of the framing headers, on the response urllib3 wraps)."""
    raw = getattr(response, "_fp", None)
    return response.version == 11 and isinstance(raw, http.client.HTTPResponse) and not raw.will_close


def _connect(target: Target, addresses: list[str], timer: _Deadline, connect_timeout: float) -> HTTPConnection:
    """A connection to the first of `addresses` that accepts one, in the resolver's order."""
    failure: Exception | None = None
    for address in addresses:
        connection = _new_connection(target, address, min(connect_timeout, timer.remaining()))
        timer.watch(connection)
        try:
            connection.connect()
        except NewConnectionError as exc:  # refused or unreachable: the next address may answer
            connection.close()
            failure = exc
            continue
        except Exception as exc:
            connection.close()
            raise _failure(exc, timer) from exc
        timer.connected(connection)
        return connection
    assert failure is not None
    raise _failure(failure, timer) from failure


def _new_connection(target: Target, address: str, timeout: float) -> HTTPConnection:
    if target.scheme == "http":
        return HTTPConnection(address, target.port, timeout=timeout)
    return HTTPSConnection(
        address,
        target.port,
        timeout=timeout,
        server_hostname=target.host,
        assert_hostname=target.host,
        cert_reqs="CERT_REQUIRED",
        ca_certs=settings.OUTGOING_CA_BUNDLE or None,
    )


def _read_body(response: BaseHTTPResponse, limit: int, timer: _Deadline) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise OutgoingError("too_large", f"the answer declares {declared} bytes, over {limit}")
    chunks: list[bytes] = []
    received = 0
    while True:
        timer.remaining()
        chunk = response.read(min(READ_CHUNK_BYTES, limit + 1 - received), decode_content=False)
        if not chunk:
            if timer.expired:  # the timer's shutdown ends a body without a length as if it were complete
                raise OutgoingError("http_timeout", "no complete answer in time")
            return b"".join(chunks)
        received += len(chunk)
        if received > limit:
            raise OutgoingError("too_large", f"the answer is over {limit} bytes")
        chunks.append(chunk)


def _failure(exc: Exception, timer: _Deadline) -> OutgoingError:
    """The reason for an exception from connecting, sending or reading."""
    if timer.expired:
        return OutgoingError("http_timeout", "no complete answer in time")
    if isinstance(exc, ssl.SSLError | SSLError | CertificateError):
        return OutgoingError("tls_error", str(exc))
    if isinstance(exc, NewConnectionError):
        return OutgoingError("connection_failed", str(exc))
    if isinstance(exc, TimeoutError | Urllib3TimeoutError):
        return OutgoingError("http_timeout", str(exc))
    if isinstance(exc, OSError | http.client.HTTPException | HTTPError):
        return OutgoingError("connection_failed", str(exc))
    raise exc


def _ms_since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
