"""Bad requests are answered in SCIM's error shape with a precise scimType, and write nothing."""

from __future__ import annotations

import pytest
from django.test import override_settings

from accounts.models import User
from scim.tests.conftest import ERROR_SCHEMA, USER_SCHEMA, patch_body, user_body

pytestmark = pytest.mark.django_db


def _error(response, status: int, scim_type: str | None = None) -> None:
    assert response.status == status, response.body
    assert response.body["schemas"] == [ERROR_SCHEMA]
    assert response.body["status"] == str(status)
    assert response.body["detail"]
    if scim_type:
        assert response.body["scimType"] == scim_type


def test_bad_json_is_invalid_syntax(scim):
    _error(scim.post("Users", raw_body=b'{"schemas": ['), 400, "invalidSyntax")


def test_a_body_that_is_not_an_object_is_invalid_syntax(scim):
    _error(scim.post("Users", [1, 2]), 400, "invalidSyntax")


def test_missing_or_wrong_schemas(scim):
    _error(scim.post("Users", {"userName": "a@example.com"}), 400, "invalidSyntax")
    _error(
        scim.post("Users", user_body("a@example.com", schemas=["urn:ietf:params:scim:schemas:core:2.0:Group"])),
        400,
        "invalidSyntax",
    )
    _error(
        scim.post("Users", user_body("a@example.com", schemas=[USER_SCHEMA, "urn:example:unknown"])),
        400,
        "invalidValue",
    )


def test_wrong_attribute_types_are_invalid_value(scim):
    _error(scim.post("Users", user_body("a@example.com", active="yes")), 400, "invalidValue")
    _error(scim.post("Users", user_body("a@example.com", userName=5)), 400, "invalidValue")
    _error(scim.post("Users", user_body("not-an-address", emails=[{"value": "nope"}])), 400, "invalidValue")
    _error(scim.post("Users", user_body("a@example.com", displayName="x" * 81)), 400, "invalidValue")
    assert not User.objects.filter(email="a@example.com").exists()


@override_settings(SCIM_REQUEST_BODY_MAX_BYTES=2000)
def test_an_oversize_body_is_413_before_it_is_read(scim):
    _error(scim.post("Users", user_body("a@example.com", title="x" * 3000)), 413)


def test_bad_filters_are_invalid_filter(scim):
    _error(scim.get("Users?filter=userName eq"), 400, "invalidFilter")
    _error(scim.get('Users?filter=nickName eq "x"'), 400, "invalidFilter")
    _error(scim.get("Users?startIndex=abc"), 400, "invalidValue")


def test_bad_patches(team, scim):
    target = f"Users/{team.member.public_id}"
    _error(scim.patch(target, {"Operations": []}), 400, "invalidSyntax")
    _error(scim.patch(target, patch_body({"op": "frobnicate", "path": "title", "value": "x"})), 400, "invalidSyntax")
    _error(scim.patch(target, patch_body({"op": "remove"})), 400, "noTarget")
    _error(scim.patch(target, patch_body({"op": "replace", "path": "id", "value": "U1"})), 400, "mutability")
    _error(scim.patch(target, patch_body({"op": "replace", "path": "name[[", "value": "x"})), 400, "invalidPath")


def test_a_failing_patch_writes_nothing(team, scim):
    created = scim.post("Users", user_body("ada@example.com")).body
    response = scim.patch(
        f"Users/{created['id']}",
        patch_body(
            {"op": "replace", "path": "displayName", "value": "Augusta"},
            {"op": "replace", "path": "active", "value": "maybe"},
        ),
    )
    _error(response, 400, "invalidValue")
    assert User.objects.get(public_id=created["id"]).display_name == ""


def test_unknown_resources_and_paths_are_404_in_scim_shape(scim):
    _error(scim.get("Users/UNOPE"), 404)
    _error(scim.get("Groups/SNOPE"), 404)
    _error(scim.get("Nothing/here"), 404)
