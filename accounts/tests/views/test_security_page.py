"""Sign-in & security: changing the password and signing out of other sessions end every other session."""

from __future__ import annotations

from accounts.models import User
from slackclone.testing.factories import DEFAULT_PASSWORD, UserFactory
from slackclone.testing.web import web_client

NEW_PASSWORD = "a brand new passphrase"


def _signed_in(client) -> bool:
    return client.get("/accounts/profile/").status_code == 200


def test_changing_the_password_keeps_this_session_and_ends_every_other(db):
    user = UserFactory()
    here, elsewhere = web_client(), web_client()
    for client in (here, elsewhere):
        client.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD})
    response = here.post(
        "/accounts/security/",
        {"old_password": DEFAULT_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == "/accounts/security/"
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)
    assert _signed_in(here)
    assert not _signed_in(elsewhere)


def test_a_stolen_session_cannot_change_the_password_without_the_current_one(db):
    user = UserFactory()
    response = web_client(user).post(
        "/accounts/security/", {"old_password": "guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 400
    assert User.objects.get(pk=user.pk).check_password(DEFAULT_PASSWORD)


def test_signing_out_of_other_sessions(db):
    user = UserFactory()
    here, elsewhere = web_client(), web_client()
    for client in (here, elsewhere):
        client.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD})
    assert here.get("/accounts/security/").status_code == 200
    assert here.post("/accounts/security/sign-out-others/")["Location"] == "/accounts/security/"
    assert _signed_in(here)
    assert not _signed_in(elsewhere)
    assert User.objects.get(pk=user.pk).check_password(DEFAULT_PASSWORD)


def test_a_password_reset_ends_every_session_signed_before_it(db):
    user = UserFactory()
    elsewhere = web_client()
    elsewhere.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD})
    user.set_password(NEW_PASSWORD)
    user.save()
    assert not _signed_in(elsewhere)
