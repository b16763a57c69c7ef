"""The server's own HTTP requests: exact bytes out, bounded in time and size, never into its own network."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
from collections.abc import Iterator

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from slackclone import outgoing
from slackclone.outgoing import OutgoingError, address_allowed
from slackclone.testing.http_recorder import Answer, RecordingServer, recording_server


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with recording_server() as recorder:
        yield recorder


def url_of(recorder: RecordingServer, path: str = "/slack/events?x=1") -> str:
    return f"{recorder.url}{path}"


def test_the_exact_bytes_and_headers_arrive_and_the_answer_comes_back(server):
    server.answers = [Answer(201, {"X-Slack-No-Retry": "1"}, b'{"ok":true}')]
    body = b'{"text":"caf\xc3\xa9",  "n": 1}'

    response = outgoing.post(url_of(server), body=body, headers={"X-Slack-Signature": "v0=abc"})

    (received,) = server.received
    assert (received.path, received.body) == ("/slack/events?x=1", body)
    assert received.headers["X-Slack-Signature"] == "v0=abc"
    assert received.headers["Host"] == f"127.0.0.1:{server.server_address[1]}"
    assert (response.status, response.body, response.headers["x-slack-no-retry"]) == (201, b'{"ok":true}', "1")


def test_an_error_status_is_an_answer_and_a_redirect_is_not_followed(server):
    server.answers = [Answer(302, {"Location": "http://169.254.169.254/latest/meta-data/"})]
    assert outgoing.post(url_of(server), body=b"{}").status == 302
    assert len(server.received) == 1
    server.answers = [Answer(503, {}, b"down")]
    assert outgoing.post(url_of(server), body=b"{}").status == 503


def test_a_server_that_never_answers_is_a_timeout():
    with socket.socket() as listener:  # accepts connections (the backlog) but never reads or answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        with pytest.raises(OutgoingError) as caught:
            outgoing.post(f"http://127.0.0.1:{listener.getsockname()[1]}/", body=b"{}", timeout=0.2)
    assert caught.value.reason == "http_timeout"


def test_nobody_listening_is_a_failed_connection():
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    with pytest.raises(OutgoingError) as caught:
        outgoing.post(f"http://127.0.0.1:{port}/", body=b"{}")
    assert caught.value.reason == "connection_failed"


def test_an_answer_over_the_cap_is_not_read_to_the_end(server):
    server.answers = [Answer(200, {}, b"x" * (outgoing.MAX_RESPONSE_BYTES + 1))]
    with pytest.raises(OutgoingError) as caught:
        outgoing.post(url_of(server), body=b"{}")
    assert caught.value.reason == "too_large"


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/", "http:///nohost", "https://user:secret@example.com/", "not a url", "http://x:99999/"],
)
def test_a_url_that_is_not_plain_http_is_refused(url):
    with pytest.raises(OutgoingError) as caught:
        outgoing.post(url, body=b"{}")
    assert caught.value.reason == "invalid_url"


def test_loopback_is_refused_unless_the_operator_allows_it(server, settings):
    settings.OUTGOING_ALLOWED_NETWORKS = []
    for host in ("127.0.0.1", "localhost"):
        with pytest.raises(OutgoingError) as caught:
            outgoing.post(url_of(server).replace("127.0.0.1", host), body=b"{}")
        assert caught.value.reason == "forbidden_address"
    assert server.received == []
    settings.OUTGOING_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    assert outgoing.post(url_of(server), body=b"{}").status == 200


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fd00::1", False),
        ("fe80::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("64:ff9b::a00:1", False),
    ],
)
def test_only_public_addresses_are_reachable_by_default(settings, address, allowed):
    settings.OUTGOING_ALLOWED_NETWORKS = []
    assert address_allowed(ipaddress.ip_address(address)) is allowed


# --- TLS: the certificate is checked for the host name in the URL, not the address connected to -----


def _certificate(tmp_path, name: str) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_path), str(key_path)


@pytest.fixture
def tls_server(server, tmp_path, request):
    cert, key = _certificate(tmp_path, request.param)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    return server, cert


@pytest.mark.parametrize("tls_server", ["localhost"], indirect=True)
def test_tls_to_a_host_whose_certificate_matches(tls_server, settings):
    server, cert = tls_server
    settings.OUTGOING_CA_BUNDLE = cert
    response = outgoing.post(f"https://localhost:{server.server_address[1]}/", body=b"{}")
    assert response.status == 200


@pytest.mark.parametrize("tls_server", ["elsewhere.example"], indirect=True)
def test_tls_to_a_host_whose_certificate_names_another_is_refused(tls_server, settings):
    server, cert = tls_server
    settings.OUTGOING_CA_BUNDLE = cert
    with pytest.raises(OutgoingError) as caught:
        outgoing.post(f"https://localhost:{server.server_address[1]}/", body=b"{}")
    assert caught.value.reason == "tls_error"
    assert server.received == []
