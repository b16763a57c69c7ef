"""The OpenAPI schema: it validates, documents every endpoint with its errors, and the API keeps to it.

The schemathesis run generates requests for every operation (a bounded number of examples each, on the real
PostgreSQL, authenticated with a token whose workspace has real channels, messages and a file, so many requests
reach the code behind the 404s) and applies every check schemathesis has (the Python API's `--checks all`):
nothing answers 5xx; every status, content type, header and body is one the schema declares; requests that
break the schema are refused and requests that keep to it are accepted; a request without its credentials is
refused; a method the schema does not list answers 405 with an Allow header.
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
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.generation import GenerationMode
from schemathesis.openapi.checks import RejectedPositiveData

from chat.services import channel_create, file_upload, message_post, reaction_add
from slackclone.testing.api import token_client
from slackclone.testing.factories import UserFactory, add_member, workspace_with_owner

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
# Every check is on. Requests carry the fuzz world's token (below), so the schema's security parameters are not
# generated; NUL characters are not generated either, since no text field can hold one (PostgreSQL cannot).
CONFIG = schemathesis.Config.from_dict(
    {
        "phases": {"examples": {"enabled": False}, "coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "generation": {"max-examples": MAX_EXAMPLES, "allow-x00": False, "with-security-parameters": False},
        "checks": {"enabled": True},
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
    """Point most generated requests at real objects; the rest keep their random ids (and must 404 cleanly).

    Only requests generated to keep to the schema are changed, so that they stay valid: a cursor is something
    the server hands out (a made-up one is refused), and a form has no null (leaving the field out says it).
    Requests generated to break it are sent as generated."""
    if case.meta.generation.mode is not GenerationMode.POSITIVE:
        return
    digest = hashlib.sha256(repr(sorted((case.path_parameters or {}).items())).encode()).digest()
    if digest[0] < 200:
        for name in ("workspace_id", "channel_id", "ts", "file_id"):
            if case.path_parameters and name in case.path_parameters:
                case.path_parameters[name] = world[name]
    if case.query:
        case.query.pop("cursor", None)
    if case.media_type in FORM_TYPES and isinstance(case.body, dict):
        case.body = {key: value for key, value in case.body.items() if value is not None}


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@api.hook
def filter_failure(context, failure, case, response) -> bool:
    """Every failure fails the test but two kinds that say more about OpenAPI than about the API:

    * a request the schema allows, refused with a 400 that names the field and its rule, when the rule is one
      OpenAPI 3.0 cannot state (a cursor the server issued, arguments that exclude each other, a time zone or
      emoji that exists, text that is not only spaces);
    * a request that breaks the schema by a JSON type and is accepted as a form or multipart body, whose fields
      are all text (`"1"` is a valid name, `[]` no body at all)."""
    if isinstance(failure, RejectedPositiveData):
        return not _refusal_naming_a_field(response)
    if isinstance(failure, AcceptedNegativeData):
        return case.media_type not in FORM_TYPES
    return True


def _refusal_naming_a_field(response) -> bool:
    if response.status_code != 400:
        return False
    try:
        return bool(response.json()["error"]["fields"])
    except (ValueError, KeyError, TypeError):
        return False


@api.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_keeps_to_its_schema(case, fuzz_world):
    _aim(case, fuzz_world)
    case.call_and_validate(headers={"Authorization": fuzz_world["authorization"]})
