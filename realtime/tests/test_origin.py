"""Which Origin may open a socket with a session cookie: the site's own origins, exactly.

An origin is a scheme, a host and a port (an Origin without a port has its scheme's default:
80 for http, 443 for https). The site's own origins are the one the socket was opened on (its
Host header, when ALLOWED_HOSTS names it, with http for ws and https for wss), SITE_URL's, and
those listed in CSRF_TRUSTED_ORIGINS (`https://*.example.com` for any subdomain).
"""

import pytest
from django.test import override_settings

from realtime.auth import origin_allowed


def scope(host: str | None = None, scheme: str = "ws") -> dict:
    headers = [(b"host", host.encode())] if host is not None else []
    return {"type": "websocket", "scheme": scheme, "headers": headers}


@override_settings(SITE_URL="http://127.0.0.1:8000", ALLOWED_HOSTS=["127.0.0.1", "localhost"])
@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:31337",
        "https://127.0.0.1",
        "http://127.0.0.1",
        "http://127.0.0.1:8001",
        "https://127.0.0.1:8000",
        "http://localhost:8000",
    ],
)
def test_our_host_with_another_scheme_or_port_is_not_our_origin(origin):
    assert not origin_allowed(origin, scope())
    assert not origin_allowed(origin, scope("127.0.0.1:8000"))


@override_settings(SITE_URL="http://127.0.0.1:8000", ALLOWED_HOSTS=["127.0.0.1", "localhost"])
def test_the_origin_the_socket_was_opened_on_is_ours():
    assert origin_allowed("http://localhost:9000", scope("localhost:9000"))
    assert origin_allowed("http://localhost", scope("localhost"))
    assert origin_allowed("http://localhost:80", scope("localhost"))
    assert not origin_allowed("http://localhost:9001", scope("localhost:9000"))
    assert not origin_allowed("https://localhost:9000", scope("localhost:9000"))


@override_settings(SITE_URL="http://127.0.0.1:8000", ALLOWED_HOSTS=["chat.example.com"])
def test_a_secure_socket_belongs_to_the_https_origin():
    wss = scope("chat.example.com", scheme="wss")
    assert origin_allowed("https://chat.example.com", wss)
    assert origin_allowed("https://chat.example.com:443", wss)
    assert not origin_allowed("http://chat.example.com", wss)
    assert not origin_allowed("https://chat.example.com:8443", wss)
    assert not origin_allowed("https://chat.example.com", scope("chat.example.com", scheme="ws"))


@override_settings(SITE_URL="http://127.0.0.1:8000", ALLOWED_HOSTS=["127.0.0.1"])
def test_a_host_header_outside_allowed_hosts_makes_no_origin_ours():
    assert not origin_allowed("http://rebound.example", scope("rebound.example"))


@override_settings(SITE_URL="https://chat.example.com/", ALLOWED_HOSTS=["127.0.0.1"])
def test_the_site_urls_origin_is_ours():
    assert origin_allowed("https://chat.example.com", scope("127.0.0.1:8000"))
    assert origin_allowed("https://chat.example.com:443", scope())
    assert not origin_allowed("http://chat.example.com", scope())
    assert not origin_allowed("https://chat.example.com:8443", scope())


@override_settings(
    SITE_URL="http://127.0.0.1:8000",
    ALLOWED_HOSTS=["127.0.0.1"],
    CSRF_TRUSTED_ORIGINS=["https://*.chat.example.com", "https://partner.example:8443"],
)
@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://eu.chat.example.com", True),
        ("https://eu.chat.example.com:443", True),
        ("https://chat.example.com", True),  # as Django's CSRF check reads a wildcard
        ("http://eu.chat.example.com", False),
        ("https://eu.chat.example.com:8443", False),
        ("https://evilchat.example.com", False),
        ("https://partner.example:8443", True),
        ("https://partner.example", False),
        ("http://partner.example:8443", False),
    ],
)
def test_trusted_origins_match_scheme_host_and_port(origin, allowed):
    assert origin_allowed(origin, scope()) is allowed


@override_settings(SITE_URL="http://127.0.0.1:8000", ALLOWED_HOSTS=["127.0.0.1"])
@pytest.mark.parametrize(
    "origin",
    [
        "",
        "null",
        "http://",
        "127.0.0.1:8000",
        "ftp://127.0.0.1:8000",
        "http://127.0.0.1:8000/",
        "http://127.0.0.1:8000/path",
        "http://user@127.0.0.1:8000",
        "http://127.0.0.1:8000?x=1",
        "http://127.0.0.1:notaport",
        "http://127.0.0.1:99999",
    ],
)
def test_a_malformed_origin_is_never_ours(origin):
    assert not origin_allowed(origin, scope("127.0.0.1:8000"))
