"""Browser sign-in over the API: CSRF-protected login, sign-up and logout."""

from __future__ import annotations

import re

from django.core import mail

from accounts.models import User
from slackclone.testing.api import ApiClient, error_code
from slackclone.testing.factories import DEFAULT_PASSWORD, UserFactory


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


def test_signup_answers_check_your_email_and_the_mailed_token_proves_the_address_and_signs_in(
    db, django_capture_on_commit_callbacks
):
    client, csrf = _csrf_client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/auth/signup",
            {"email": "New@Example.com", "password": "a long enough passphrase", "full_name": "New Person"},
            HTTP_X_CSRFTOKEN=csrf,
        )
    assert response.status_code == 202
    assert response.json()["email"] == "new@example.com"
    user = User.objects.get(email="new@example.com")
    assert (user.full_name, user.email_verified) == ("New Person", False)
    assert client.get("/api/v1/me").status_code == 401, "nothing is signed in before the address is proved"

    (token,) = re.findall(r"/accounts/verify/([^/\s]+)/", mail.outbox[0].body)
    verified = client.post("/api/v1/auth/verify-email", {"token": token}, HTTP_X_CSRFTOKEN=csrf)
    assert verified.json()["user"]["id"] == user.public_id
    assert client.get("/api/v1/me").status_code == 200
    again = client.post(
        "/api/v1/auth/verify-email", {"token": token}, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value
    )
    assert (again.status_code, error_code(again)) == (400, "invalid_verification_link")


def test_signup_with_a_taken_email_answers_exactly_as_a_new_one(team, django_capture_on_commit_callbacks):
    client, csrf = _csrf_client()
    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post(
            "/api/v1/auth/signup",
            {"email": team.member.email, "password": "a long enough passphrase"},
            HTTP_X_CSRFTOKEN=csrf,
        )
    assert taken.status_code == 202
    assert taken.json() == {
        "email": team.member.email,
        "detail": f"Check your email: we sent {team.member.email} the next step.",
    }
    assert client.get("/api/v1/me").status_code == 401
    assert "already has an account" in mail.outbox[0].body


def test_resending_a_verification_link(db, client_for, django_capture_on_commit_callbacks):
    user = UserFactory(email_verified_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post("/api/v1/auth/verify-email/resend")
    assert response.status_code == 202
    assert mail.outbox[0].to == [user.email]
    assert error_code(client_for(UserFactory()).post("/api/v1/auth/verify-email/resend")) == "restricted_action"


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


def test_logout_others_keeps_this_session_and_ends_the_rest(team, client_for):
    here, elsewhere = _csrf_client()[0], _csrf_client()[0]
    for client in (here, elsewhere):
        csrf = client.get("/api/v1/auth/csrf").json()["csrf_token"]
        client.post(
            "/api/v1/auth/login", {"email": team.member.email, "password": DEFAULT_PASSWORD}, HTTP_X_CSRFTOKEN=csrf
        )
    response = here.post("/api/v1/auth/logout-others", HTTP_X_CSRFTOKEN=here.cookies["csrftoken"].value)
    assert response.status_code == 204
    assert here.get("/api/v1/me").status_code == 200
    assert elsewhere.get("/api/v1/me").status_code == 401


def test_logout_others_is_for_sessions_not_tokens(team, client_for):
    response = client_for(team.member, team.workspace).post("/api/v1/auth/logout-others")
    assert error_code(response) == "restricted_action"
