"""SCIM tests' helpers: a SCIM token for the team's workspace and a client that sends SCIM requests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from scim.tokens import scim_token_create

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


@dataclass
class ScimResponse:
    status: int
    body: Any
    headers: Any


class ScimClient:
    """Sends SCIM requests with a bearer token (or none) through Django's test client."""

    def __init__(self, raw_token: str | None, client: Client | None = None) -> None:
        self.raw = raw_token
        self.client = client or Client()

    def request(
        self, method: str, path: str, body: Any = None, *, raw_body: bytes | None = None, **extra: Any
    ) -> ScimResponse:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.raw}"} if self.raw else {}
        headers.update(extra)
        data = raw_body if raw_body is not None else (json.dumps(body) if body is not None else "")
        response = getattr(self.client, method.lower())(
            "/scim/v2/" + path.lstrip("/"), data=data, content_type="application/scim+json", **headers
        )
        parsed = json.loads(response.content) if response.content else None
        return ScimResponse(response.status_code, parsed, response)

    def get(self, path: str, **extra: Any) -> ScimResponse:
        return self.request("GET", path, **extra)

    def post(self, path: str, body: Any = None, **extra: Any) -> ScimResponse:
        return self.request("POST", path, body, **extra)

    def put(self, path: str, body: Any = None, **extra: Any) -> ScimResponse:
        return self.request("PUT", path, body, **extra)

    def patch(self, path: str, body: Any = None, **extra: Any) -> ScimResponse:
        return self.request("PATCH", path, body, **extra)

    def delete(self, path: str, **extra: Any) -> ScimResponse:
        return self.request("DELETE", path, **extra)


def user_body(email: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "schemas": [USER_SCHEMA],
        "userName": email,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": email, "type": "work", "primary": True}],
        "active": True,
    }
    body.update(fields)
    return body


def patch_body(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_SCHEMA], "Operations": list(operations)}


@pytest.fixture
def scim_token(team):
    token, raw = scim_token_create(actor=team.owner, workspace=team.workspace, name="Okta")
    return token, raw


@pytest.fixture
def scim(scim_token) -> ScimClient:
    return ScimClient(scim_token[1])
