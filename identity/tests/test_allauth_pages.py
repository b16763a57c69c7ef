"""django-allauth's pages sit in Slackclone's layout, behind sign-in, and its account pages that
would duplicate ours lead to ours."""

from __future__ import annotations

import pytest

from slackclone.testing.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/auth/2fa/", "/auth/sessions/"])
def test_the_account_pages_of_allauth_show_in_the_account_settings(client, path):
    person = UserFactory()
    client.force_login(person)
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="side-nav"' in html
    assert 'aria-current="page"' in html


@pytest.mark.parametrize("path", ["/auth/2fa/", "/auth/sessions/"])
def test_they_need_a_signed_in_person(client, path):
    page = client.get(path)
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("path", "ours"),
    [("/auth/login/?next=/x/", "/accounts/login/?next=/x/"), ("/auth/signup/", "/accounts/signup/")],
)
def test_allauths_own_sign_in_and_sign_up_lead_to_ours(client, path, ours):
    page = client.get(path)
    assert (page.status_code, page["Location"]) == (302, ours)


def test_signing_in_with_a_password_still_lands_where_next_says(client):
    person = UserFactory()
    page = client.post(
        "/accounts/login/", {"username": person.email, "password": DEFAULT_PASSWORD, "next": "/accounts/profile/"}
    )
    assert (page.status_code, page["Location"]) == (302, "/accounts/profile/")
    assert client.get("/accounts/profile/").status_code == 200
