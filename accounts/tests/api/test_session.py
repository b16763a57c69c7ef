"""Browser sign-in over the API: CSRF-protected login, sign-up and logout."""

from __future__ import annotations

from accounts.models import User
from slackclone.api.testing import ApiClient, error_code
from slackclone.testing.factories import DEFAULT_PASSWORD


def _csrf_client() -> tuple[ApiClient, str]:
    client = ApiClient(enforce_csrf_checks=True)
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    return client, token


def test_login_with_csrf_starts_a_session(team):
    client, csrf = _csrf_client()
    response = client.post(
        "/api/v1/auth/login", {"email": team.member.email.upper(), "password": DEFAULT_PASSWORD}, HTTP_X_CSRFTOKEN=csrf
    )
    assert response.status_code == 200
    assert client.get("/api/v1/me").json()["user"]["id"] == team.member.public_id


def test_login_without_csrf_is_403(team):
    client = ApiClient(enforce_csrf_checks=True)
    response = client.post("/api/v1/auth/login", {"email": team.member.email, "password": DEFAULT_PASSWORD})
    assert (response.status_code, error_code(response)) == (403, "restricted_action")


def test_wrong_password_is_401_invalid_auth(team):
    client, csrf = _csrf_client()
    response = client.post(
        "/api/v1/auth/login", {"email": team.member.email, "password": "nope"}, HTTP_X_CSRFTOKEN=csrf
    )
    assert (response.status_code, error_code(response)) == (401, "invalid_auth")


def test_session_writes_need_the_csrf_token(team):
    client, csrf = _csrf_client()
    client.post("/api/v1/auth/login", {"email": team.member.email, "password": DEFAULT_PASSWORD}, HTTP_X_CSRFTOKEN=csrf)
    csrf = client.cookies["csrftoken"].value
    url = f"/api/v1/channels/{team.general.public_id}/messages"
    assert client.post(url, {"text": "no token"}).status_code == 403
    assert client.post(url, {"text": "with token"}, HTTP_X_CSRFTOKEN=csrf).status_code == 201


def test_signup_creates_an_account_and_signs_in(db):
    client, csrf = _csrf_client()
    response = client.post(
        "/api/v1/auth/signup",
        {"email": "New@Example.com", "password": "a long enough passphrase", "full_name": "New Person"},
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 201
    assert User.objects.get(email="new@example.com").full_name == "New Person"
    assert client.get("/api/v1/me").status_code == 200


def test_signup_with_a_taken_email_is_409(team):
    client, csrf = _csrf_client()
    response = client.post(
        "/api/v1/auth/signup",
        {"email": team.member.email, "password": "a long enough passphrase"},
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert (response.status_code, error_code(response)) == (409, "email_taken")


def test_signup_with_a_weak_password_is_400(db):
    client, csrf = _csrf_client()
    response = client.post("/api/v1/auth/signup", {"email": "a@b.example", "password": "123"}, HTTP_X_CSRFTOKEN=csrf)
    assert (response.status_code, error_code(response)) == (400, "invalid_password")


def test_logout_ends_the_session(team, client_for):
    client = client_for(team.member)
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_tokens_are_not_logged_out(team, client_for):
    assert error_code(client_for(team.member, team.workspace).post("/api/v1/auth/logout")) == "restricted_action"
