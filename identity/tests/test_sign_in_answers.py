"""Sign-in answers never tell whether an address has an account, and sign-in stays throttled per address
and per account (slackclone/tests/test_sign_in_throttling.py covers every surface)."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from slackclone.testing.api import ApiClient, error_code
from slackclone.testing.factories import UserFactory
from slackclone.testing.web import web_client

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'(name="csrfmiddlewaretoken" value|name="csrf-token" content)="[^"]+"')


def _page(email: str):
    answer = web_client().post("/accounts/login/", {"username": email, "password": "not the password"})
    return answer.status_code, CSRF.sub("", answer.content.decode()).replace(email, "EMAIL")


def _api(email: str):
    client = ApiClient()
    csrf = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    answer = client.post("/api/v1/auth/login", {"email": email, "password": "not the password"}, HTTP_X_CSRFTOKEN=csrf)
    return answer.status_code, answer.json()


def test_the_sign_in_page_answers_an_unknown_address_as_a_wrong_password():
    known = UserFactory(email="known@example.com")
    assert _page(known.email) == _page("nobody@example.com")


def test_the_api_answers_an_unknown_address_as_a_wrong_password():
    known = UserFactory(email="known@example.com")
    assert _api(known.email) == _api("nobody@example.com")


@override_settings(AUTH_FAILURES_PER_ACCOUNT_RATE="2/h")
def test_an_unknown_address_is_throttled_like_a_known_one():
    """Were only real accounts locked, the 429 would tell which addresses exist."""
    known = UserFactory(email="known@example.com")
    for email in (known.email, "nobody@example.com"):
        for _ in range(2):
            web_client().post("/accounts/login/", {"username": email, "password": "wrong"})
    assert _page(known.email)[0] == _page("nobody@example.com")[0] == 429
    client = ApiClient()
    csrf = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    answer = client.post("/api/v1/auth/login", {"email": "nobody@example.com", "password": "x"}, HTTP_X_CSRFTOKEN=csrf)
    assert error_code(answer) == "ratelimited"
