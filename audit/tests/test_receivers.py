"""Account events are recorded from Django's signals, whichever surface signed in, out, or saved a password."""

from __future__ import annotations

import pytest

from accounts.services import user_sign_out_other_sessions
from audit.models import AuditAction
from audit.tests.helpers import only, recorded
from slackclone.testing.api import ApiClient
from slackclone.testing.factories import DEFAULT_PASSWORD, UserFactory
from slackclone.testing.web import web_client

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AuditTest/1.0"


def _api_login(client: ApiClient, email: str, password: str):
    csrf = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    return client.post("/api/v1/auth/login", {"email": email, "password": password}, HTTP_X_CSRFTOKEN=csrf)


def test_a_sign_in_on_the_page_is_recorded_with_its_method_address_and_browser():
    person = UserFactory()
    client = web_client()
    response = client.post(
        "/accounts/login/", {"username": person.email, "password": DEFAULT_PASSWORD}, HTTP_USER_AGENT=BROWSER
    )
    assert response.status_code == 302

    event = only(AuditAction.SIGN_IN)
    assert (event.actor, event.actor_label, event.workspace) == (person, person.email, None)
    assert event.data == {"method": "password", "surface": "web"}
    assert event.ip_address == client.defaults["REMOTE_ADDR"]
    assert event.user_agent == BROWSER
    assert (event.target_type, event.target_id) == ("user", person.public_id)


def test_a_sign_in_through_the_api_says_so_and_the_django_admin_signs_in_on_the_site_page():
    person, staff = UserFactory(), UserFactory(is_staff=True, is_superuser=True)
    assert _api_login(ApiClient(), person.email, DEFAULT_PASSWORD).status_code == 200
    browser = web_client()
    admin_login = browser.get("/admin/login/?next=/admin/")
    assert admin_login.status_code == 302
    assert admin_login["Location"].startswith("/accounts/login/")
    signed_in = browser.post(
        "/accounts/login/", {"username": staff.email, "password": DEFAULT_PASSWORD, "next": "/admin/"}
    )
    assert (signed_in.status_code, signed_in["Location"]) == (302, "/admin/")

    assert only(AuditAction.SIGN_IN, actor=person).data == {"method": "password", "surface": "api"}
    assert only(AuditAction.SIGN_IN, actor=staff).data == {"method": "password", "surface": "web"}


def test_a_failed_sign_in_records_the_address_tried_without_an_actor_or_the_password():
    person = UserFactory()
    client = web_client()
    assert client.post("/accounts/login/", {"username": person.email.upper(), "password": "wrong"}).status_code == 200

    event = only(AuditAction.SIGN_IN_FAILED)
    assert event.actor is None
    assert event.actor_label == ""
    assert event.data == {"method": "password", "email": person.email.upper(), "surface": "web"}
    assert (event.target_type, event.target_id, event.target_label) == ("user", person.public_id, person.email.upper())
    assert event.ip_address == client.defaults["REMOTE_ADDR"]
    assert "wrong" not in str(event.data)


def test_a_failed_sign_in_for_an_address_without_an_account_names_no_account():
    _api_login(ApiClient(), "nobody@example.com", "wrong")

    event = only(AuditAction.SIGN_IN_FAILED)
    assert (event.target_type, event.target_id, event.target_label) == ("", "", "nobody@example.com")
    assert event.data["surface"] == "api"


def test_signing_out_is_recorded_on_the_page_and_the_api():
    person = UserFactory()
    web = web_client(person)
    web.post("/accounts/logout/")
    api = ApiClient()
    _api_login(api, person.email, DEFAULT_PASSWORD)
    csrf = api.get("/api/v1/auth/csrf").json()["csrf_token"]
    assert api.post("/api/v1/auth/logout", HTTP_X_CSRFTOKEN=csrf).status_code in (200, 204)

    events = recorded(AuditAction.SIGN_OUT)
    assert [(e.actor, e.workspace) for e in events] == [(person, None), (person, None)]


def test_a_password_change_on_the_security_page_is_recorded_as_the_person_did_it():
    person = UserFactory()
    client = web_client(person)
    response = client.post(
        "/accounts/security/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "a brand new passphrase",
            "new_password2": "a brand new passphrase",
        },
    )
    assert response.status_code == 302

    event = only(AuditAction.PASSWORD_CHANGED)
    assert (event.actor, event.target_id, event.data) == (person, person.public_id, {"sessions_ended": True})
    assert event.ip_address == client.defaults["REMOTE_ADDR"]
    assert not recorded(AuditAction.SESSIONS_ENDED)


def test_a_password_set_without_a_request_has_no_actor():
    person = UserFactory()
    person.set_password("another long passphrase")
    person.save()

    event = only(AuditAction.PASSWORD_CHANGED)
    assert (event.actor, event.target_id, event.ip_address) == (None, person.public_id, None)


def test_signing_out_of_the_other_sessions_is_recorded_from_the_page_and_the_service():
    person = UserFactory()
    web_client(person).post("/accounts/security/sign-out-others/")
    user_sign_out_other_sessions(actor=person)

    events = recorded(AuditAction.SESSIONS_ENDED)
    assert [(e.target_id, e.data) for e in events] == [(person.public_id, {"sessions_ended": True})] * 2
    assert events[0].actor == person
    assert not recorded(AuditAction.PASSWORD_CHANGED)


def test_saving_a_person_without_touching_password_or_sessions_records_nothing():
    person = UserFactory()
    person.display_name = "New name"
    person.save()
    person.save(update_fields=["display_name"])

    assert not recorded(AuditAction.PASSWORD_CHANGED)
    assert not recorded(AuditAction.SESSIONS_ENDED)
