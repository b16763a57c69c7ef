"""Every sign-in surface is throttled alike: per client address, and per account for failed attempts."""

from __future__ import annotations

import pytest
from django.test import override_settings

from slackclone.testing.api import ApiClient, error_code
from slackclone.testing.factories import DEFAULT_PASSWORD, UserFactory
from slackclone.testing.web import web_client

pytestmark = pytest.mark.django_db


def _admin_login(client, email: str, password: str):
    return client.post("/admin/login/", {"username": email, "password": password, "next": "/admin/"})


def _page_login(client, email: str, password: str):
    return client.post("/accounts/login/", {"username": email, "password": password})


def test_the_django_admin_login_form_signs_nobody_in_but_leads_to_the_throttled_page():
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = web_client()
    response = _admin_login(client, staff.email, DEFAULT_PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=%2Fadmin%2F")
    assert "_auth_user_id" not in client.session


@override_settings(API_AUTH_RATE="3/m")
def test_the_login_page_the_django_admin_uses_is_limited_per_client_address():
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = web_client()
    for _ in range(3):
        assert _page_login(client, staff.email, "wrong").status_code == 200
    refused = _page_login(client, staff.email, DEFAULT_PASSWORD)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "_auth_user_id" not in client.session


@override_settings(AUTH_FAILURES_PER_ACCOUNT_RATE="3/h")
@pytest.mark.parametrize("surface", ["admin", "page", "api"])
def test_failed_sign_ins_from_many_addresses_lock_the_account_on_every_surface(surface):
    staff = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(3):  # each guess from an address of its own
        assert _page_login(web_client(), staff.email, "wrong").status_code == 200
    fresh = web_client()
    if surface == "admin":  # the admin sends people to the page, which is locked
        assert _admin_login(fresh, staff.email, DEFAULT_PASSWORD).status_code == 302
        response = _page_login(fresh, staff.email.upper(), DEFAULT_PASSWORD)
    elif surface == "page":
        response = fresh.post("/accounts/login/", {"username": staff.email, "password": DEFAULT_PASSWORD})
    else:
        fresh = ApiClient()
        csrf = fresh.get("/api/v1/auth/csrf").json()["csrf_token"]
        response = fresh.post(
            "/api/v1/auth/login", {"email": staff.email, "password": DEFAULT_PASSWORD}, HTTP_X_CSRFTOKEN=csrf
        )
        assert error_code(response) == "ratelimited"
    assert response.status_code == 429
    assert "_auth_user_id" not in fresh.session


@override_settings(AUTH_FAILURES_PER_ACCOUNT_RATE="3/h")
def test_another_accounts_failures_do_not_lock_this_one():
    target, other = UserFactory(), UserFactory()
    for _ in range(5):
        web_client().post("/accounts/login/", {"username": other.email, "password": "wrong"})
    client = web_client()
    response = client.post("/accounts/login/", {"username": target.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(target.pk)
