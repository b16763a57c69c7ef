"""The one error shape, for every kind of failure the API can answer."""

from __future__ import annotations

import pytest

from chat.services import message_post
from slackclone.testing.api import ApiClient, error_code


def test_anonymous_request_is_401_not_authed(team):
    response = ApiClient().get(f"/api/v1/workspaces/{team.workspace.public_id}/channels")
    assert response.status_code == 401
    assert error_code(response) == "not_authed"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer", "Bearer a b", "Bearer \u00e9t\u00e9"])
def test_bad_bearer_token_is_401_invalid_auth(team, header):
    response = ApiClient(HTTP_AUTHORIZATION=header).get("/api/v1/me")
    assert response.status_code == 401
    assert error_code(response) == "invalid_auth"


def test_unknown_path_under_v1_is_a_json_404(team, client_for):
    response = client_for(team.member).get("/api/v1/no/such/thing")
    assert response.status_code == 404
    assert error_code(response) == "not_found"


def test_slack_style_method_paths_are_answered_by_the_slack_api_not_the_rest_api(team, client_for):
    response = client_for(team.member).post("/api/chat.postMessage", {"channel": "C1", "text": "hi"})
    # Slack's shape ({"ok": false, "error": name}), never the REST API's {"error": {"code": ...}}.
    assert response.status_code == 200
    assert response.json() == {"ok": False, "error": "not_authed"}


def test_wrong_method_is_405(team, client_for):
    response = client_for(team.member).delete(f"/api/v1/workspaces/{team.workspace.public_id}/unread")
    assert response.status_code == 405
    assert error_code(response) == "method_not_allowed"


@pytest.mark.parametrize("body", ["{not json", "[" * 100_000, '{"text": ' * 100_000, "[" * 65 + "]" * 65])
def test_malformed_or_too_deeply_nested_json_is_400_invalid_json(team, client_for, body):
    response = client_for(team.member).generic(
        "POST", f"/api/v1/channels/{team.general.public_id}/messages", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert error_code(response) == "invalid_json"


def test_json_nested_as_deep_as_allowed_reaches_the_serializer(team, client_for):
    body = '{"text": "hi", "x": ' + "[" * 63 + "]" * 63 + "}"
    response = client_for(team.member).generic(
        "POST", f"/api/v1/channels/{team.general.public_id}/messages", body, content_type="application/json"
    )
    assert response.status_code == 201


def _post_paths(team) -> dict[str, str]:
    """One REST POST endpoint of each kind that reads a body."""
    workspace, channel = team.workspace.public_id, team.general.public_id
    message = message_post(sender=team.member, channel=team.general, text="hi")
    return {
        "files": f"/api/v1/channels/{channel}/files",
        "members": f"/api/v1/channels/{channel}/members",
        "reactions": f"/api/v1/channels/{channel}/messages/{message.ts}/reactions",
        "read": f"/api/v1/channels/{channel}/read",
        "dms": f"/api/v1/workspaces/{workspace}/dms",
        "invitations": f"/api/v1/workspaces/{workspace}/invitations",
        "reminders": f"/api/v1/workspaces/{workspace}/reminders",
        "bots": f"/api/v1/workspaces/{workspace}/bots",
        "notifications/read": f"/api/v1/workspaces/{workspace}/notifications/read",
        "channels": f"/api/v1/workspaces/{workspace}/channels",
        "messages": f"/api/v1/channels/{channel}/messages",
    }


@pytest.mark.parametrize("body", [b"--BOUNDARY--", b"--BOUNDARY--\r\n", b"--OTHER--\r\n", b"--BOUNDARY"])
def test_a_multipart_body_of_only_a_closing_boundary_gets_the_error_shape_on_every_post_endpoint(
    team, client_for, body
):
    """An empty form: a 400 naming what is missing, always JSON (an invitation needs no field, being a link, and
    marking notifications read with none marks them all)."""
    needs_nothing = {"invitations": 201, "notifications/read": 200}
    client = client_for(team.admin, team.workspace)
    for name, path in _post_paths(team).items():
        response = client.generic("POST", path, body, content_type="multipart/form-data; boundary=BOUNDARY")
        assert response["Content-Type"] == "application/json", name
        assert response.status_code == needs_nothing.get(name, 400), (name, response.content)
        if name not in needs_nothing:
            assert error_code(response) in {"invalid_arguments", "no_text"}, name


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=é"],
)
def test_a_multipart_body_django_cannot_parse_gets_the_error_shape(team, client_for, content_type):
    response = client_for(team.admin, team.workspace).generic(
        "POST", f"/api/v1/workspaces/{team.workspace.public_id}/dms", b"--BOUNDARY--", content_type=content_type
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert error_code(response) == "invalid_arguments"


def test_validation_errors_name_the_fields(team, client_for):
    response = client_for(team.member).get(
        f"/api/v1/channels/{team.general.public_id}/messages", {"limit": 500, "before": "x"}
    )
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid_arguments"
    assert body["fields"] == {"limit": "max_value", "before": "invalid"}


def test_domain_error_keeps_the_service_code_and_status(team, client_for):
    response = client_for(team.member).post(
        f"/api/v1/workspaces/{team.workspace.public_id}/channels", {"name": "general"}
    )
    assert response.status_code == 409
    body = response.json()["error"]
    assert body["code"] == "name_taken"
    assert body["fields"] == {"name": "taken"}


def test_unsupported_media_type_is_415(team, client_for):
    response = client_for(team.member).generic(
        "POST", f"/api/v1/channels/{team.general.public_id}/messages", "text=hi", content_type="text/csv"
    )
    assert response.status_code == 415
    assert error_code(response) == "unsupported_media_type"
