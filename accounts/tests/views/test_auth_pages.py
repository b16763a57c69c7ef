"""Sign in, sign up, sign out and password reset pages."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import override_settings

from accounts.models import User
from slackclone.testing.factories import DEFAULT_PASSWORD, UserFactory
from slackclone.testing.web import csrf_from, web_client

STRONG_PASSWORD = "a long enough passphrase"


def test_login_page_renders_the_email_form(db):
    response = web_client().get("/accounts/login/")
    assert response.status_code == 200
    assert b"<title>Sign in \xc2\xb7 Slackclone</title>" in response.content
    assert b'name="username"' in response.content
    assert b'autocomplete="current-password"' in response.content


def test_login_with_the_right_password_lands_on_home(team):
    client = web_client()
    response = client.post("/accounts/login/", {"username": team.member.email.upper(), "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(team.member.pk)


def test_login_with_a_wrong_password_shows_an_alert_and_signs_nobody_in(team):
    client = web_client()
    response = client.post("/accounts/login/", {"username": team.member.email, "password": "nope"})
    assert response.status_code == 200
    assert b'role="alert"' in response.content
    assert b"Sorry, that email address and password don" in response.content
    assert "_auth_user_id" not in client.session


def test_login_follows_a_safe_next_but_not_another_site(team):
    client = web_client()
    response = client.post(
        "/accounts/login/", {"username": team.member.email, "password": DEFAULT_PASSWORD, "next": "/accounts/profile/"}
    )
    assert response["Location"] == "/accounts/profile/"
    other = web_client().post(
        "/accounts/login/", {"username": team.member.email, "password": DEFAULT_PASSWORD, "next": "https://evil.test/"}
    )
    assert other["Location"] == "/"


def test_login_form_needs_the_csrf_token(team):
    client = web_client(enforce_csrf_checks=True)
    refused = client.post("/accounts/login/", {"username": team.member.email, "password": DEFAULT_PASSWORD})
    assert refused.status_code == 403
    token = csrf_from(client.get("/accounts/login/"))
    accepted = client.post(
        "/accounts/login/",
        {"username": team.member.email, "password": DEFAULT_PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert accepted.status_code == 302


@override_settings(API_AUTH_RATE="3/m")
def test_login_attempts_past_the_limit_get_a_429_page(team):
    client = web_client()
    for _ in range(3):
        assert client.post("/accounts/login/", {"username": team.member.email, "password": "nope"}).status_code == 200
    response = client.post("/accounts/login/", {"username": team.member.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert b"Too many attempts" in response.content
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/login/").status_code == 200  # looking at the page is never limited


def _mailed_link(to: str, path: str) -> str:
    (message,) = [m for m in mail.outbox if m.to == [to]]
    match = re.search(rf"http://[^/\s]+({re.escape(path)}[^\s]*)", message.body)
    assert match, message.body
    return match.group(1)


def test_signup_says_check_your_email_and_the_mailed_link_proves_the_address_and_signs_in(
    db, django_capture_on_commit_callbacks
):
    client = web_client()
    assert client.get("/accounts/signup/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/", {"email": "New@Example.com", "display_name": "Newbie", "password": STRONG_PASSWORD}
        )
    assert response.status_code == 200
    assert b"Check your email" in response.content
    assert "_auth_user_id" not in client.session
    user = User.objects.get(email="new@example.com")
    assert (user.display_name, user.email_verified) == ("Newbie", False)

    link = _mailed_link("new@example.com", "/accounts/verify/")
    confirm = client.get(link)
    assert confirm.status_code == 200
    assert not User.objects.get(pk=user.pk).email_verified, "a GET (a mail scanner) spends nothing"
    response = client.post(link, {"csrfmiddlewaretoken": csrf_from(confirm)})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert User.objects.get(pk=user.pk).email_verified
    assert client.post(link).status_code == 400, "the link works once"


def test_signup_goes_on_to_the_invitation_it_came_from_once_the_address_is_proved(
    db, django_capture_on_commit_callbacks
):
    client = web_client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/signup/",
            {"email": "a@example.com", "display_name": "A", "password": STRONG_PASSWORD, "next": "/invite/abc/"},
        )
    link = _mailed_link("a@example.com", "/accounts/verify/")
    assert link.endswith("?next=%2Finvite%2Fabc%2F")
    assert client.post(link)["Location"] == "/invite/abc/"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"password": "123"}, "password", "This password is too short."),
        ({"display_name": ""}, "display_name", "This field is required."),
    ],
)
def test_signup_with_bad_input_shows_the_error_and_creates_nothing(db, data, field, message):
    fields = {"email": "b@example.com", "display_name": "B", "password": STRONG_PASSWORD, **data}
    response = web_client().post("/accounts/signup/", fields)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not User.objects.filter(email="b@example.com").exists()


def test_signup_with_a_taken_email_answers_the_same_and_mails_the_owner(team, django_capture_on_commit_callbacks):
    client = web_client()
    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post(
            "/accounts/signup/", {"email": team.member.email, "display_name": "X", "password": STRONG_PASSWORD}
        )
        fresh = web_client().post(
            "/accounts/signup/", {"email": "fresh@example.com", "display_name": "X", "password": STRONG_PASSWORD}
        )
    assert taken.status_code == fresh.status_code == 200
    csrf = re.compile(rb'name="csrf-token" content="[^"]*"')
    assert csrf.sub(b"", taken.content.replace(team.member.email.encode(), b"")) == csrf.sub(
        b"", fresh.content.replace(b"fresh@example.com", b"")
    )
    assert "_auth_user_id" not in client.session
    assert User.objects.filter(email=team.member.email).count() == 1
    assert "already has an account" in next(m for m in mail.outbox if m.to == [team.member.email]).body


def test_an_unverified_account_is_told_to_confirm_and_can_ask_for_a_new_link(db, django_capture_on_commit_callbacks):
    user = UserFactory(email_verified_at=None)
    client = web_client(user)
    page = client.get("/accounts/workspaces/")
    assert b"Confirm your email address" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/verify/resend/", {"csrfmiddlewaretoken": csrf_from(page)})
    assert response["Location"] == "/accounts/workspaces/"
    assert _mailed_link(user.email, "/accounts/verify/")
    assert b"Confirm your email address" not in web_client(UserFactory()).get("/accounts/workspaces/").content


def test_a_password_reset_from_the_mailed_link_proves_the_address(db, django_capture_on_commit_callbacks):
    user = UserFactory(email_verified_at=None)
    client = web_client()
    client.post("/accounts/password/reset/", {"email": user.email})
    link = _mailed_link(user.email, "/accounts/password/reset/")
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
    )
    user.refresh_from_db()
    assert user.check_password("a brand new passphrase")
    assert user.email_verified


@override_settings(API_AUTH_RATE="2/m")
def test_signups_past_the_limit_get_a_429_page(db):
    client = web_client()
    for n in range(2):
        client.post("/accounts/signup/", {"email": f"s{n}@example.com", "display_name": "S", "password": "x"})
    response = client.post(
        "/accounts/signup/", {"email": "late@example.com", "display_name": "L", "password": STRONG_PASSWORD}
    )
    assert response.status_code == 429
    assert not User.objects.filter(email="late@example.com").exists()


def test_logout_is_a_post_that_ends_the_session(team):
    client = web_client(team.member)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_password_reset_emails_a_link_that_sets_a_new_password(db):
    user = UserFactory(email="forgetful@example.com")
    client = web_client()
    response = client.post("/accounts/password/reset/", {"email": "Forgetful@example.com"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Reset your Slackclone password"
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert b"Choose a new password" in form_page.content
    new_password = "an entirely new passphrase"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done["Location"] == "/accounts/password/reset/done/"
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(db):
    response = web_client().post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []
