"""Test helpers for the REST API: clients signed in by session or by token, each from its own address.

Each client gets a loopback address of its own (REMOTE_ADDR only; no traffic leaves the test
process), so the per-address limits on sign-in and token creation never couple two tests.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from integrations.tokens import api_token_create
from slackclone.testing.signin import sign_in
from workspaces.models import Workspace

# A random start, so that runs a few seconds apart do not share rate-limit counters in Redis.
_addresses = itertools.count(random.randrange(1, 2**23))


def _next_address() -> str:
    n = next(_addresses)
    return f"127.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


class ApiClient(APIClient):
    """An APIClient that sends JSON by default and remembers the token it authenticates with."""

    def __init__(self, **defaults: Any):
        defaults.setdefault("REMOTE_ADDR", _next_address())
        super().__init__(**defaults)
        self.raw_token: str | None = None

    def _base(self, method: str, path: str, data=None, **extra):
        handler = getattr(super(), method)
        if data is not None and "format" not in extra and "content_type" not in extra:
            extra["format"] = "json"
        return handler(path, data, **extra)

    def post(self, path, data=None, **extra):
        return self._base("post", path, data, **extra)

    def patch(self, path, data=None, **extra):
        return self._base("patch", path, data, **extra)

    def put(self, path, data=None, **extra):
        return self._base("put", path, data, **extra)

    def delete(self, path, data=None, **extra):
        return self._base("delete", path, data, **extra)


def session_client(user: User | None) -> ApiClient:
    client = ApiClient()
    if user is not None:
        sign_in(client, user)
    return client


def token_client(user: User, workspace: Workspace) -> ApiClient:
    _, raw = api_token_create(actor=None, user=user, workspace=workspace, name="tests")
    client = ApiClient(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.raw_token = raw
    return client


@pytest.fixture
def client_for():
    """client_for(user) signs in by session; client_for(user, workspace) authenticates with a new token."""

    def make(user: User | None, workspace: Workspace | None = None) -> ApiClient:
        return token_client(user, workspace) if workspace is not None else session_client(user)

    return make


def error_code(response) -> str:
    """The `code` of an error response, after checking the body has the one error shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]["code"]
