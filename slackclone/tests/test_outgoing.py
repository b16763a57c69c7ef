"""The one client for requests the server makes: what it sends, what it refuses, and when it gives up.

Against real servers on this machine (slackclone/testing/local_http.py). The test settings allow 127.0.0.0/8
and ::1 so that these servers can be reached at all; the tests of the refusal take that away.
"""

from __future__ import annotations

import gzip
import logging
import socket
import threading
import time

import pytest

from slackclone import outgoing, outgoing_pool
from slackclone.outgoing import OutgoingError, address_is_allowed, check_url
from slackclone.outgoing_pool import idle_connections
from slackclone.testing.local_http import Handler, LocalServer, make_tls_files
from slackclone.testing.processes import free_port

# Bytes no text encoding would keep intact, and header values with the characters signatures use.
RAW_BODY = b'{"type":"event_callback","text":"caf\xc3\xa9"}\x00\xff\r\n--'
SIGNED_HEADERS = {
    "Content-Type": "application/json",
    "X-Slack-Signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    "X-Slack-Request-Timestamp": "1531420618",
    "X-Odd": 'a, b;  c="d" ~!',
}


def networks(*cidrs: str) -> list[str]:
    return list(cidrs)


# --- What arrives -------------------------------------------------------------------------------


def test_a_post_arrives_byte_for_byte_with_its_headers():
    with LocalServer() as server:
        response = outgoing.post(
            f"http://127.0.0.1:{server.port}/slack/events?x=1", body=RAW_BODY, headers=SIGNED_HEADERS
        )

    assert response.status == 200
    assert response.body == b"ok"
    assert response.headers["content-type"] == "text/plain"
    [received] = server.received
    assert (received.method, received.path, received.body) == ("POST", "/slack/events?x=1", RAW_BODY)
    for name, value in SIGNED_HEADERS.items():
        assert received.header(name) == value
    assert received.header("Content-Length") == str(len(RAW_BODY))
    assert received.header("Host") == f"127.0.0.1:{server.port}"


def test_requests_name_slackclone_and_the_site_as_their_user_agent(settings):
    settings.SITE_URL = "https://chat.example.com"
    with LocalServer() as server:
        outgoing.get(f"http://127.0.0.1:{server.port}/")

    assert server.received[0].header("User-Agent") == "Slackclone/1.0 (+https://chat.example.com)"


def test_a_status_that_is_not_2xx_is_an_answer_not_an_error():
    with LocalServer(lambda handler: handler.reply(500, b"boom")) as server:
        response = outgoing.post(f"http://127.0.0.1:{server.port}/", body=b"{}")

    assert (response.status, response.body) == (500, b"boom")


def test_a_chunked_answer_is_read_whole():
    def chunked(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        handler.wfile.write(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")

    with LocalServer(chunked) as server:
        response = outgoing.get(f"http://127.0.0.1:{server.port}/")

    assert response.body == b"hello world"


def test_a_compressed_answer_is_returned_as_sent_and_identity_is_asked_for():
    compressed = gzip.compress(b"a" * 100_000)
    with LocalServer(lambda handler: handler.reply(200, compressed, {"Content-Encoding": "gzip"})) as server:
        response = outgoing.get(f"http://127.0.0.1:{server.port}/", max_response_bytes=len(compressed))

    assert response.body == compressed
    assert server.received[0].header("Accept-Encoding") == "identity"


def test_the_client_alone_sets_host_and_framing_headers():
    with pytest.raises(ValueError, match="host"):
        outgoing.post("http://127.0.0.1:1/", body=b"", headers={"Host": "elsewhere.example"})


# --- Keep-alive -----------------------------------------------------------------------------------


@pytest.fixture
def no_kept_connections():
    idle_connections.clear()
    yield
    idle_connections.clear()


def replying_from(ports: list[int], headers: dict[str, str] | None = None, close_silently: bool = False):
    """An answer that records the client's port (one per connection) before replying."""

    def answer(handler: Handler) -> None:
        ports.append(handler.client_address[1])
        handler.reply(200, b"ok", headers)
        if close_silently:
            handler.close_connection = True  # as a server closes an idle connection, saying nothing

    return answer


def test_requests_to_the_same_address_share_a_kept_connection(no_kept_connections):
    ports: list[int] = []
    with LocalServer(replying_from(ports)) as server:
        for _ in range(3):
            assert outgoing.post(f"http://127.0.0.1:{server.port}/e", body=b"{}").status == 200

    assert len(set(ports)) == 1
    assert all(received.header("Connection") == "keep-alive" for received in server.received)


def test_a_kept_connection_the_server_closed_is_replaced_at_once(no_kept_connections):
    ports: list[int] = []
    with LocalServer(replying_from(ports, close_silently=True)) as server:
        for _ in range(3):
            assert outgoing.post(f"http://127.0.0.1:{server.port}/e", body=b"{}").status == 200

    assert len(set(ports)) == 3
    assert len(server.received) == 3  # each request arrived once


def test_an_answer_that_says_close_or_an_idle_connection_is_not_reused(no_kept_connections, monkeypatch):
    ports: list[int] = []
    with LocalServer(replying_from(ports, {"Connection": "close"})) as server:
        outgoing.get(f"http://127.0.0.1:{server.port}/")
        outgoing.get(f"http://127.0.0.1:{server.port}/")
    assert len(set(ports)) == 2

    ports.clear()
    monkeypatch.setattr(outgoing_pool, "IDLE_SECONDS", 0.0)
    with LocalServer(replying_from(ports)) as server:
        outgoing.get(f"http://127.0.0.1:{server.port}/")
        outgoing.get(f"http://127.0.0.1:{server.port}/")
    assert len(set(ports)) == 2


def test_a_connection_is_kept_under_the_address_it_was_checked_for(no_kept_connections, settings):
    """A kept connection serves only a request whose own resolution, checked anew, gives its address."""
    ports: list[int] = []
    with LocalServer(replying_from(ports)) as server:
        outgoing.get(f"http://127.0.0.1:{server.port}/")
        settings.OUTGOING_ALLOWED_NETWORKS = []
        with pytest.raises(OutgoingError) as error:
            outgoing.get(f"http://127.0.0.1:{server.port}/")
    assert error.value.reason == "forbidden_address"
    assert len(ports) == 1


# --- Giving up ------------------------------------------------------------------------------------


def test_a_server_that_does_not_answer_in_time_is_an_http_timeout():
    with LocalServer(lambda handler: handler.release.wait(10)) as server:
        started = time.monotonic()
        with pytest.raises(OutgoingError) as error:
            outgoing.post(f"http://127.0.0.1:{server.port}/", body=b"{}", timeout=0.3)
        elapsed = time.monotonic() - started

    assert error.value.reason == "http_timeout"
    assert 0.3 <= elapsed < 1.5


@pytest.mark.parametrize("framing", [{"Content-Length": "1000"}, {"Connection": "close"}])
def test_a_server_that_trickles_its_answer_is_cut_off_at_the_timeout(framing):
    """Each byte comes well within any per-read timeout; the whole answer never does. Without a length, the
    end of the connection would otherwise pass for the end of the body."""

    def trickle(handler: Handler) -> None:
        handler.send_response(200)
        for name, value in framing.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.close_connection = True
        try:
            while not handler.release.wait(0.05):
                handler.wfile.write(b"x")
                handler.wfile.flush()
        except OSError:  # the client hung up, as it should
            return

    with LocalServer(trickle) as server:
        started = time.monotonic()
        with pytest.raises(OutgoingError) as error:
            outgoing.get(f"http://127.0.0.1:{server.port}/", timeout=0.4)
        elapsed = time.monotonic() - started

    assert error.value.reason == "http_timeout"
    assert 0.4 <= elapsed < 1.5


def test_concurrent_deadlines_end_each_request_at_its_own_time_without_a_thread_each():
    """One watchdog thread keeps every request's deadline: slow answers are cut off at their own timeouts,
    while a quick one in between is untouched."""
    with LocalServer(lambda handler: handler.release.wait(10)) as slow, LocalServer() as quick:
        outcomes: dict[float, str] = {}

        def call(timeout: float) -> None:
            started = time.monotonic()
            try:
                outgoing.get(f"http://127.0.0.1:{slow.port}/", timeout=timeout)
            except OutgoingError as error:
                outcomes[timeout] = f"{error.reason} after {time.monotonic() - started:.1f}"

        callers = [threading.Thread(target=call, args=(timeout,)) for timeout in (0.3, 0.9)]
        for caller in callers:
            caller.start()
        assert outgoing.get(f"http://127.0.0.1:{quick.port}/").status == 200
        running = threading.enumerate()
        for caller in callers:
            caller.join()

    assert not any(isinstance(thread, threading.Timer) for thread in running)
    assert [thread.name for thread in running].count("outgoing-deadlines") == 1

    assert outcomes[0.3].startswith("http_timeout after 0.")
    assert float(outcomes[0.3].split()[-1]) < 0.7
    assert 0.9 <= float(outcomes[0.9].split()[-1]) < 1.5


def test_a_server_that_trickles_its_headers_is_cut_off_at_the_timeout():
    def endless_headers(handler: Handler) -> None:
        handler.close_connection = True
        try:
            handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
            while not handler.release.wait(0.05):
                handler.wfile.write(b"X-More: 1\r\n")
                handler.wfile.flush()
        except OSError:
            return

    with LocalServer(endless_headers) as server:
        started = time.monotonic()
        with pytest.raises(OutgoingError) as error:
            outgoing.get(f"http://127.0.0.1:{server.port}/", timeout=0.4)
        elapsed = time.monotonic() - started

    assert error.value.reason == "http_timeout"
    assert 0.4 <= elapsed < 1.5


def test_a_port_nobody_listens_on_is_a_connection_failure():
    with pytest.raises(OutgoingError) as error:
        outgoing.post(f"http://127.0.0.1:{free_port()}/", body=b"{}")

    assert error.value.reason == "connection_failed"


def test_a_host_that_does_not_resolve_is_a_connection_failure():
    with pytest.raises(OutgoingError) as error:
        outgoing.get("http://no-such-host.invalid/")

    assert error.value.reason == "connection_failed"


def test_an_answer_declared_larger_than_the_cap_is_too_large():
    too_long = LocalServer(lambda handler: handler.reply(200, b"x" * 2001))
    with too_long as server, pytest.raises(OutgoingError) as error:
        outgoing.get(f"http://127.0.0.1:{server.port}/", max_response_bytes=2000)

    assert error.value.reason == "too_large"


def test_an_answer_without_a_length_is_read_only_up_to_the_cap():
    def endless(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        try:
            while not handler.release.is_set():
                handler.wfile.write(b"x" * 65536)
        except OSError:  # the client hung up, as it should
            return

    with LocalServer(endless) as server, pytest.raises(OutgoingError) as error:
        outgoing.get(f"http://127.0.0.1:{server.port}/", max_response_bytes=100_000, timeout=2)

    assert error.value.reason == "too_large"


def test_an_answer_exactly_at_the_cap_is_read():
    with LocalServer(lambda handler: handler.reply(200, b"x" * 2000)) as server:
        response = outgoing.get(f"http://127.0.0.1:{server.port}/", max_response_bytes=2000)

    assert len(response.body) == 2000


# --- Redirects ------------------------------------------------------------------------------------


def test_a_redirect_is_returned_not_followed_to_another_host():
    with LocalServer() as elsewhere:
        target = f"http://localhost:{elsewhere.port}/steal"
        with LocalServer(lambda handler: handler.reply(302, b"", {"Location": target})) as server:
            response = outgoing.post(f"http://127.0.0.1:{server.port}/", body=b"{}")

    assert response.status == 302
    assert response.headers["location"] == target
    assert elsewhere.received == []


# --- Which addresses --------------------------------------------------------------------------------


def test_loopback_is_refused_unless_allowed(settings):
    settings.OUTGOING_ALLOWED_NETWORKS = []
    with LocalServer() as server:
        with pytest.raises(OutgoingError) as error:
            outgoing.post(f"http://127.0.0.1:{server.port}/", body=b"{}")

        settings.OUTGOING_ALLOWED_NETWORKS = networks("127.0.0.0/8")
        allowed = outgoing.post(f"http://127.0.0.1:{server.port}/", body=b"{}")

    assert error.value.reason == "forbidden_address"
    assert allowed.status == 200
    assert len(server.received) == 1


def test_ipv6_loopback_is_refused_unless_allowed(settings):
    settings.OUTGOING_ALLOWED_NETWORKS = networks("127.0.0.0/8")
    with LocalServer(host="::1") as server:
        with pytest.raises(OutgoingError) as error:
            outgoing.get(f"http://[::1]:{server.port}/")

        settings.OUTGOING_ALLOWED_NETWORKS = networks("::1/128")
        allowed = outgoing.get(f"http://[::1]:{server.port}/")

    assert error.value.reason == "forbidden_address"
    assert allowed.status == 200
    assert server.received[0].header("Host") == f"[::1]:{server.port}"


def test_a_host_name_that_resolves_to_loopback_is_refused(settings):
    settings.OUTGOING_ALLOWED_NETWORKS = []
    with LocalServer() as server, pytest.raises(OutgoingError) as error:
        outgoing.post(f"http://localhost:{server.port}/", body=b"{}")

    assert error.value.reason == "forbidden_address"
    assert server.received == []


def fake_resolver(monkeypatch, answers: dict[str, list[list[str]]]) -> dict[str, int]:
    """getaddrinfo answering each name in `answers` with its next list of addresses (the last one repeats);
    returns how many times each was asked."""
    real_getaddrinfo = socket.getaddrinfo
    asked: dict[str, int] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real_getaddrinfo(host, port, *args, **kwargs)
        asked[host] = asked.get(host, 0) + 1
        addresses = answers[host][min(asked[host], len(answers[host])) - 1]
        return [
            (socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_host_is_refused_if_any_of_its_addresses_is(monkeypatch):
    fake_resolver(monkeypatch, {"mixed.example": [["93.184.216.34", "10.0.0.7"]]})

    with pytest.raises(OutgoingError) as error:
        outgoing.get("http://mixed.example/")

    assert error.value.reason == "forbidden_address"


def test_the_checked_address_is_the_one_connected_to_and_the_host_is_sent_as_given(monkeypatch):
    """A resolver that answers differently the second time (DNS rebinding) is never asked a second time."""
    asked = fake_resolver(monkeypatch, {"rebind.example": [["127.0.0.1"], ["10.0.0.7"]]})

    with LocalServer() as server:
        response = outgoing.post(f"http://rebind.example:{server.port}/hook", body=b"{}")

    assert response.status == 200
    assert asked == {"rebind.example": 1}
    assert server.received[0].header("Host") == f"rebind.example:{server.port}"


def test_the_next_address_is_tried_when_the_first_refuses_the_connection(monkeypatch):
    with LocalServer() as server:
        fake_resolver(monkeypatch, {"two.example": [["::1", "127.0.0.1"]]})
        response = outgoing.get(f"http://two.example:{server.port}/")

    assert response.status == 200


REFUSED = [
    "127.0.0.1",
    "127.255.0.9",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "100.64.0.1",
    "100.100.100.200",
    "169.254.169.254",
    "169.254.0.1",
    "0.0.0.0",
    "0.1.2.3",
    "224.0.0.251",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.10",
    "198.18.0.1",
    "::1",
    "::",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "2002:7f00:1::1",
    "2002:a9fe:a9fe::1",
    "64:ff9b::7f00:1",
    "fe80::1",
    "fe80::1%1",
    "fec0::1",
    "fc00::1",
    "fd00:ec2::254",
    "ff02::1",
    "2001:db8::1",
]


@pytest.mark.parametrize("address", REFUSED)
def test_addresses_that_are_not_public_unicast_are_refused(address):
    assert not address_is_allowed(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "2002:5db8:d822::1"])
def test_public_addresses_are_allowed(address):
    assert address_is_allowed(address)


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("127.0.0.1", ["127.0.0.0/8"]),
        ("::ffff:127.0.0.1", ["127.0.0.0/8"]),
        ("10.20.30.40", ["10.0.0.0/8"]),
        ("169.254.169.254", ["169.254.169.254/32"]),
        ("fd12::1", ["fd00::/8"]),
    ],
)
def test_an_allowed_network_lets_its_addresses_through(address, allowed):
    assert address_is_allowed(address, outgoing._parse_networks(tuple(allowed)))


def test_an_allowed_network_lets_only_its_own_addresses_through():
    assert not address_is_allowed("10.0.0.1", outgoing._parse_networks(("127.0.0.0/8", "::1/128")))


# --- Which URLs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "file:///etc/passwd",
        "gopher://example.com/",
        "javascript:alert(1)",
        "example.com/path",
        "http:///path",
        "https://",
        "http://user:pass@example.com/",
        "http://user@example.com/",
        "http://example.com@127.0.0.1/",
        "http://example.com:99999/",
        "http://example.com:0/",
        "http://example.com:port/",
        "http://exa mple.com/",
        "http://example.com/a b",
        "http://example.com/\x00",
        "http://-bad-.example/",
        "http://a..b/",
        "http://example.com/" + "a" * outgoing.URL_MAX_CHARS,
    ],
)
def test_urls_that_are_not_plain_http_to_a_host_are_invalid(url):
    with pytest.raises(OutgoingError) as error:
        check_url(url)

    assert error.value.reason == "invalid_url"


@pytest.mark.parametrize(
    ("url", "host", "port", "path", "host_header"),
    [
        ("https://Hooks.Example.COM/a?b=c#frag", "hooks.example.com", 443, "/a?b=c", "hooks.example.com"),
        ("http://example.com:8080", "example.com", 8080, "/", "example.com:8080"),
        ("https://[2606:4700::1]:8443/x", "2606:4700::1", 8443, "/x", "[2606:4700::1]:8443"),
        ("https://bücher.example/café", "xn--bcher-kva.example", 443, "/caf%C3%A9", "xn--bcher-kva.example"),
    ],
)
def test_valid_urls_become_a_host_a_port_and_a_request_target(url, host, port, path, host_header):
    target = check_url(url)

    assert (target.host, target.port, target.path, target.host_header) == (host, port, path, host_header)


# --- TLS ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    return make_tls_files(tmp_path_factory.mktemp("tls"), ["localhost"])


def test_https_verifies_the_certificate_against_the_host_name_and_sends_it_as_sni(settings, tls_files):
    settings.OUTGOING_CA_BUNDLE = str(tls_files.authority)
    with LocalServer(tls=tls_files) as server:
        response = outgoing.post(f"https://localhost:{server.port}/slack/events", body=RAW_BODY)

    assert response.status == 200
    assert server.server_names == ["localhost"]
    assert server.received[0].body == RAW_BODY
    assert server.received[0].header("Host") == f"localhost:{server.port}"


def test_https_refuses_a_certificate_no_trusted_authority_signed(settings, tls_files):
    settings.OUTGOING_CA_BUNDLE = ""
    with LocalServer(tls=tls_files) as server, pytest.raises(OutgoingError) as error:
        outgoing.post(f"https://localhost:{server.port}/", body=b"{}")

    assert error.value.reason == "tls_error"
    assert server.received == []


def test_https_refuses_a_certificate_for_another_host(settings, tmp_path, monkeypatch):
    other = make_tls_files(tmp_path, ["other.example"])
    settings.OUTGOING_CA_BUNDLE = str(other.authority)
    with LocalServer(tls=other) as server, pytest.raises(OutgoingError) as error:
        outgoing.post(f"https://localhost:{server.port}/", body=b"{}")

    assert error.value.reason == "tls_error"
    assert server.received == []


# --- Logs -----------------------------------------------------------------------------------------


def test_the_log_names_the_method_host_status_and_duration_but_no_path_query_or_body(caplog):
    secret_url_part = "/hooks/T1/B1/s3cr3t?token=xoxb-123"
    with LocalServer() as server, caplog.at_level(logging.INFO, logger="slackclone.outgoing"):
        outgoing.post(f"http://127.0.0.1:{server.port}{secret_url_part}", body=b"body-s3cr3t")

    [record] = caplog.records
    assert record.levelno == logging.INFO
    message = record.getMessage()
    assert message.startswith(f"outgoing POST http://127.0.0.1:{server.port} -> 200 in ")
    assert message.endswith(" ms")
    assert "s3cr3t" not in message
    assert "token" not in message


def test_a_refused_request_is_logged_with_its_reason(settings, caplog):
    settings.OUTGOING_ALLOWED_NETWORKS = []
    with caplog.at_level(logging.INFO, logger="slackclone.outgoing"), pytest.raises(OutgoingError):
        outgoing.get("http://127.0.0.1:9/private?token=xoxb-1")

    [record] = caplog.records
    assert "outgoing GET http://127.0.0.1:9 failed (forbidden_address)" in record.getMessage()
    assert "token" not in record.getMessage()
