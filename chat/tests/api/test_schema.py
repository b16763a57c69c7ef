"""The OpenAPI schema: it validates, documents every endpoint with its errors, and the API keeps to it.

The schemathesis run generates requests for every operation (a bounded number of examples each,
on the real PostgreSQL, authenticated with a token whose workspace has real channels, messages
and a file, so many requests reach the code behind the 404s) and checks that nothing answers
5xx and that every status, content type and body is one the schema declares.
"""

from __future__ import annotations

import hashlib

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from chat.services import channel_create, file_upload, message_post, reaction_add
from slackclone.api.testing import token_client
from slackclone.testing.factories import UserFactory, add_member, workspace_with_owner

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 20


def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_schema_is_valid_openapi():
    validate_schema(_schema())


def test_every_operation_documents_its_errors_in_the_one_shape():
    schema = _schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            errors = {code for code in responses if code[0] in "45"}
            assert {"400", "429"} <= errors, (method, path)
            if operation.get("security") != [{}] and "auth" not in path:
                assert {"401", "403", "404"} <= errors, (method, path)
            for code in errors:
                ref = responses[code]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorResponse"), (method, path, code)


def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn" not in docs.content.lower()  # served from drf-spectacular-sidecar, offline


# Only the fuzzing phase, a bounded number of examples per operation: the whole run stays near a minute.
CONFIG = schemathesis.Config.from_dict(
    {
        "phases": {"examples": {"enabled": False}, "coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "generation": {"max-examples": MAX_EXAMPLES},
    }
)
api = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)


@pytest.fixture
def in_process_requests():
    """Keep the test's database connection open across in-process WSGI requests, as Django's test client does
    (the request signals would otherwise close it, and with it the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(db, settings, tmp_path, in_process_requests):
    """A workspace the fuzzer's token acts in, with channels, messages, a reaction and a file to hit."""
    settings.API_WRITE_RATE = "100000/m"
    settings.API_AUTH_RATE = "100000/m"
    settings.MEDIA_ROOT = tmp_path
    owner = UserFactory()
    workspace = workspace_with_owner(owner)
    add_member(workspace)
    channel = channel_create(actor=owner, workspace=workspace, name="fuzz", is_private=True)
    message = message_post(sender=owner, channel=channel, text="hello <@" + owner.public_id + "> fuzz")
    message_post(sender=owner, channel=channel, text="a reply", thread_ts=message.ts)
    reaction_add(actor=owner, message=message, emoji="eyes")
    uploaded = file_upload(actor=owner, channel=channel, upload=SimpleUploadedFile("f.txt", b"file body"))
    return {
        "workspace_id": workspace.public_id,
        "channel_id": channel.public_id,
        "ts": message.ts,
        "file_id": uploaded.attachments.get().public_id,
        "user_id": owner.public_id,
        "authorization": f"Bearer {token_client(owner, workspace).raw_token}",
    }


def _aim(case, world: dict) -> None:
    """Point most generated requests at real objects; the rest keep their random ids (and must 404 cleanly)."""
    digest = hashlib.sha256(repr(sorted((case.path_parameters or {}).items())).encode()).digest()
    if digest[0] < 200:
        for name in ("workspace_id", "channel_id", "ts", "file_id"):
            if case.path_parameters and name in case.path_parameters:
                case.path_parameters[name] = world[name]


@api.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_keeps_to_its_schema(case, fuzz_world):
    _aim(case, fuzz_world)
    response = case.call(headers={"Authorization": fuzz_world["authorization"]})
    case.validate_response(response, checks=CHECKS)
