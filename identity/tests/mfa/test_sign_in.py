"""Every way in meets the second factor: the login page, the REST API's session sign-in, the Django admin,
a password reset link and an email verification link. Codes are computed here as an authenticator app would."""

from __future__ import annotations

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.verification import make_verification_token
from identity.tests.mfa.support import SignInMethods, enrol_totp, recovery_codes, totp_code
from slackclone.testing.api import ApiClient, error_code
from slackclone.testing.factories import DEFAULT_PASSWORD, UserFactory
from slackclone.testing.web import web_client

pytestmark = pytest.mark.django_db


def _password_step(client, person, next_url="/accounts/profile/"):
    return client.post("/accounts/login/", {"username": person.email, "password": DEFAULT_PASSWORD, "next": next_url})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_password_alone_does_not_sign_in_a_person_with_an_authenticator_app():
    person = UserFactory()
    enrol_totp(person)
    client = web_client()
    response = _password_step(client, person)
    assert (response.status_code, response["Location"]) == (302, "/auth/2fa/authenticate/")
    assert not _signed_in(client)
    assert client.get("/accounts/profile/").status_code == 302


def test_the_computed_code_signs_in_and_the_sign_in_is_named_password_and_totp():
    person = UserFactory()
    secret = enrol_totp(person)
    client = web_client()
    _password_step(client, person)
    with SignInMethods() as methods:
        response = client.post("/auth/2fa/authenticate/", {"code": totp_code(secret)})
    assert (response.status_code, response["Location"]) == (302, "/accounts/profile/")
    assert client.session["_auth_user_id"] == str(person.pk)
    assert methods.methods == ["password+totp"]


def test_a_wrong_code_is_refused_and_signs_nobody_in():
    person = UserFactory()
    secret = enrol_totp(person)
    client = web_client()
    _password_step(client, person)
    wrong = f"{(int(totp_code(secret)) + 1) % 10**6:06d}"
    response = client.post("/auth/2fa/authenticate/", {"code": wrong})
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert not _signed_in(client)


def test_a_recovery_code_signs_in_once():
    person = UserFactory()
    enrol_totp(person)
    code = recovery_codes(person)[0]
    first = web_client()
    _password_step(first, person)
    with SignInMethods() as methods:
        assert first.post("/auth/2fa/authenticate/", {"code": code}).status_code == 302
    assert _signed_in(first)
    assert methods.methods == ["password+recovery_codes"]
    assert code not in recovery_codes(person)
    again = web_client()
    _password_step(again, person)
    assert again.post("/auth/2fa/authenticate/", {"code": code}).status_code == 200
    assert not _signed_in(again)


def test_a_person_without_two_factor_signs_in_with_the_password_alone():
    person = UserFactory()
    client = web_client()
    with SignInMethods() as methods:
        assert _password_step(client, person)["Location"] == "/accounts/profile/"
    assert methods.methods == ["password"]


# --- The REST API's session sign-in ---------------------------------------------------------------


def _api_login(person, **extra):
    client = ApiClient()
    csrf = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    body = {"email": person.email, "password": DEFAULT_PASSWORD, **extra}
    return client, client.post("/api/v1/auth/login", body, HTTP_X_CSRFTOKEN=csrf)


def test_the_api_refuses_a_session_without_the_code_and_says_why():
    person = UserFactory()
    enrol_totp(person)
    client, response = _api_login(person)
    assert (response.status_code, error_code(response)) == (401, "mfa_required")
    assert not _signed_in(client)
    assert client.get("/api/v1/me").status_code in (401, 403)


def test_the_api_refuses_a_wrong_code():
    person = UserFactory()
    secret = enrol_totp(person)
    wrong = f"{(int(totp_code(secret)) + 1) % 10**6:06d}"
    client, response = _api_login(person, code=wrong)
    assert (response.status_code, error_code(response)) == (401, "invalid_mfa_code")
    assert not _signed_in(client)


def test_the_api_signs_in_with_the_computed_code_or_a_recovery_code_once():
    person = UserFactory()
    secret = enrol_totp(person)
    client, response = _api_login(person, code=totp_code(secret))
    assert response.status_code == 200
    assert client.get("/api/v1/me").json()["user"]["id"] == person.public_id
    code = recovery_codes(person)[0]
    assert _api_login(person, code=code)[1].status_code == 200
    assert error_code(_api_login(person, code=code)[1]) == "invalid_mfa_code"


# --- The Django admin -------------------------------------------------------------------------------


def test_the_django_admin_sends_staff_to_our_login_and_its_second_factor():
    staff = UserFactory(is_staff=True, is_superuser=True)
    secret = enrol_totp(staff)
    client = web_client()
    response = client.post("/admin/login/", {"username": staff.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not _signed_in(client)
    assert _password_step(client, staff, "/admin/")["Location"] == "/auth/2fa/authenticate/"
    assert client.get("/admin/").status_code == 302
    assert client.post("/auth/2fa/authenticate/", {"code": totp_code(secret)})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_signed_in_person_who_is_not_staff_is_refused_by_the_admin_login():
    assert web_client(UserFactory()).get("/admin/login/").status_code == 403


# --- Links that prove a mailbox, which is not a second factor ---------------------------------------


def _reset(client, person):
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    form_url = client.get(f"/accounts/password/reset/{uid}/{token}/")["Location"]
    return client.post(form_url, {"new_password1": "a new long pass phrase", "new_password2": "a new long pass phrase"})


def test_a_password_reset_link_does_not_skip_the_second_factor():
    person = UserFactory()
    secret = enrol_totp(person)
    client = web_client()
    response = _reset(client, person)
    assert response["Location"] == "/auth/2fa/authenticate/"
    assert not _signed_in(client)
    person.refresh_from_db()
    assert person.check_password("a new long pass phrase")
    done = client.post("/auth/2fa/authenticate/", {"code": totp_code(secret)})
    assert done["Location"] == "/accounts/password/reset/done/"
    assert _signed_in(client)


def test_a_password_reset_signs_in_a_person_without_two_factor_as_before():
    person = UserFactory()
    client = web_client()
    assert _reset(client, person)["Location"] == "/accounts/password/reset/done/"
    assert client.session["_auth_user_id"] == str(person.pk)


def test_an_email_verification_link_does_not_skip_the_second_factor():
    person = UserFactory(email_verified_at=None)
    enrol_totp(person)
    token = make_verification_token(person)
    client = web_client()
    assert client.post(f"/accounts/verify/{token}/")["Location"] == "/auth/2fa/authenticate/"
    assert not _signed_in(client)


def test_the_apis_email_verification_confirms_but_does_not_sign_in_a_person_with_two_factor():
    person = UserFactory(email_verified_at=None)
    enrol_totp(person)
    api = ApiClient()
    csrf = api.get("/api/v1/auth/csrf").json()["csrf_token"]
    response = api.post("/api/v1/auth/verify-email", {"token": make_verification_token(person)}, HTTP_X_CSRFTOKEN=csrf)
    assert error_code(response) == "mfa_required"
    assert not _signed_in(api)
    person.refresh_from_db()
    assert person.email_verified_at is not None
