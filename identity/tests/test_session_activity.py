"""A session is listed when it signs in, and its "last seen" is refreshed at most once per interval,
so an ordinary signed-in request costs no SQL for it."""

from __future__ import annotations

import pytest
from allauth.usersessions.models import UserSession
from django.core.cache import cache

from identity.middleware import _seen_key
from slackclone.testing.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, person) -> None:
    answer = client.post(
        "/accounts/login/", {"username": person.email, "password": DEFAULT_PASSWORD}, HTTP_USER_AGENT="Firefox/140"
    )
    assert answer.status_code == 302


def test_signing_in_lists_the_session_with_its_address_and_browser(client):
    person = UserFactory()
    sign_in(client, person)
    listed = UserSession.objects.get(user=person)
    assert (listed.session_key, listed.ip, listed.user_agent) == (
        client.session.session_key,
        "127.0.0.1",
        "Firefox/140",
    )


def test_requests_within_the_interval_touch_no_session_row(client):
    person = UserFactory()
    sign_in(client, person)
    seen = UserSession.objects.get(user=person).last_seen_at
    client.get("/accounts/profile/")
    assert UserSession.objects.get(user=person).last_seen_at == seen


def test_after_the_interval_the_next_request_refreshes_last_seen(client):
    person = UserFactory()
    sign_in(client, person)
    seen = UserSession.objects.get(user=person).last_seen_at
    cache.delete(_seen_key(client.session.session_key))  # the interval has passed
    client.get("/accounts/profile/", HTTP_USER_AGENT="Chrome/150")
    refreshed = UserSession.objects.get(user=person)
    assert refreshed.last_seen_at > seen
    assert refreshed.user_agent == "Chrome/150"


def test_a_session_that_signed_in_without_a_client_address_is_listed_at_its_first_request(client):
    person = UserFactory()
    client.force_login(person)
    assert not UserSession.objects.filter(user=person).exists()
    client.get("/accounts/profile/")
    assert UserSession.objects.filter(user=person, session_key=client.session.session_key).exists()
