"""Rate limits: per user on writes, per client address on sign-in and token creation; 429 with Retry-After."""

from __future__ import annotations

import time

import pytest

from slackclone.testing.api import ApiClient, error_code
from slackclone.testing.factories import DEFAULT_PASSWORD


@pytest.fixture
def tight_limits(settings):
    settings.API_WRITE_RATE = "3/m"
    settings.API_AUTH_RATE = "2/m"


def test_writes_are_limited_per_user(team, client_for, tight_limits):
    client = client_for(team.member)
    url = f"/api/v1/channels/{team.general.public_id}/messages"
    statuses = [client.post(url, {"text": f"m{i}"}).status_code for i in range(4)]
    assert statuses == [201, 201, 201, 429]
    response = client.post(url, {"text": "again"})
    assert error_code(response) == "ratelimited"
    assert 1 <= int(response["Retry-After"]) <= 60
    # Reads are not writes, and another user has a budget of their own.
    assert client.get(url).status_code == 200
    assert client_for(team.other_member).post(url, {"text": "mine"}).status_code == 201


def test_login_is_limited_per_address(team, tight_limits):
    client = ApiClient()
    body = {"email": team.member.email, "password": "wrong"}
    statuses = [client.post("/api/v1/auth/login", body).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    right = client.post("/api/v1/auth/login", {"email": team.member.email, "password": DEFAULT_PASSWORD})
    assert right.status_code == 429
    assert ApiClient().post("/api/v1/auth/login", body).status_code == 401  # another address


def test_token_creation_is_limited_per_address(team, client_for, tight_limits):
    client = client_for(team.member)
    body = {"workspace": team.workspace.public_id}
    statuses = [client.post("/api/v1/tokens", body).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]


def test_a_limit_holds_when_the_wall_clock_crosses_its_window_mid_test(team, client_for, tight_limits, monkeypatch):
    client = client_for(team.member)
    body = {"workspace": team.workspace.public_id}
    assert [client.post("/api/v1/tokens", body).status_code for _ in range(2)] == [201, 201]
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.post("/api/v1/tokens", body).status_code == 429
