"""The one error shape, for every kind of failure the API can answer."""

from __future__ import annotations

import pytest

from slackclone.api.testing import ApiClient, error_code


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


def test_malformed_json_is_400_invalid_arguments(team, client_for):
    response = client_for(team.member).generic(
        "POST", f"/api/v1/channels/{team.general.public_id}/messages", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
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
