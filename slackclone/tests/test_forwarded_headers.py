"""X-Forwarded-For and X-Forwarded-Proto count only from the proxies in FORWARDED_ALLOW_IPS (none by default).

On a real Uvicorn started with the Procfile's command line, reached directly from 127.0.0.1 as an attacker on
the same network would reach it: with the default, a new X-Forwarded-For on every sign-in does not make a new
client (the per-address limit still trips) and X-Forwarded-Proto does not make a request secure; with the
proxy configured, both are believed.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import connection

from slackclone.testing.processes import free_port, start_procfile_process, stop

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
SIGN_INS_ALLOWED = 3


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


@pytest.fixture
def start_web():
    """start_web(**variables) → the port of web1 from the Procfile, on the test database, with `variables`.

    Sign-ins are limited to SIGN_INS_ALLOWED per address over a window of a length drawn for this test, so its
    counters (keyed by the rate) are its own, whatever else counted sign-ins from 127.0.0.1 this minute."""
    processes = []
    rate = f"{SIGN_INS_ALLOWED}/{random.randrange(1000, 2000)}s"

    def start(**variables: str) -> int:
        port = free_port()
        env = {name: value for name, value in os.environ.items() if name != "FORWARDED_ALLOW_IPS"}
        env |= {
            "DJANGO_SETTINGS_MODULE": "slackclone.settings_test",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "SECRET_KEY": settings.SECRET_KEY,
            "API_AUTH_RATE": rate,
            "LOG_LEVEL": "WARNING",
            **variables,
        }
        processes.append(start_procfile_process("web1", port=port, env=env, stdout=subprocess.DEVNULL))
        return port

    yield start
    for process in processes:
        stop(process)


def request(port: int, path: str, *, method: str = "GET", headers: dict[str, str] | None = None) -> int:
    body = json.dumps({"email": "nobody@example.com", "password": "wrong"}).encode() if method == "POST" else None
    sent = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method, headers=headers or {})
    sent.add_header("Content-Type", "application/json")
    try:
        with OPENER.open(sent, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def sign_in_from(port: int, forwarded_for: str) -> int:
    """A sign-in (refused: no CSRF token, but counted first) claiming to come from `forwarded_for`."""
    return request(port, "/api/v1/auth/login", method="POST", headers={"X-Forwarded-For": forwarded_for})


def made_up_addresses(count: int) -> list[str]:
    rng = random.Random()
    return [f"198.18.{rng.randrange(256)}.{rng.randrange(1, 255)}" for _ in range(count)]


def test_by_default_x_forwarded_for_does_not_change_the_address_the_sign_in_limit_counts(start_web):
    port = start_web()
    statuses = [sign_in_from(port, address) for address in made_up_addresses(SIGN_INS_ALLOWED + 1)]
    assert statuses == [403] * SIGN_INS_ALLOWED + [429]


def test_behind_a_configured_proxy_each_forwarded_address_has_its_own_limit(start_web):
    port = start_web(FORWARDED_ALLOW_IPS="127.0.0.1")
    addresses = made_up_addresses(SIGN_INS_ALLOWED + 1)
    assert [sign_in_from(port, address) for address in addresses] == [403] * (SIGN_INS_ALLOWED + 1)
    repeated = [sign_in_from(port, addresses[0]) for _ in range(SIGN_INS_ALLOWED)]
    assert repeated[-1] == 429


def test_by_default_x_forwarded_proto_does_not_make_a_request_secure(start_web):
    port = start_web(HTTPS="1")
    assert request(port, "/healthz", headers={"X-Forwarded-Proto": "https"}) == 301  # sent on to https


def test_behind_a_configured_proxy_x_forwarded_proto_says_the_request_came_over_tls(start_web):
    port = start_web(HTTPS="1", FORWARDED_ALLOW_IPS="127.0.0.1")
    assert request(port, "/healthz", headers={"X-Forwarded-Proto": "https"}) == 200
    assert request(port, "/healthz") == 301
