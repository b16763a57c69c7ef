"""Creating an API token needs a sign-in (or a re-authentication) in the last 10 minutes; API tokens are not
second factors, but they outlive the session, so minting one asks again who you are."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import ApiToken
from identity.tests.mfa.support import enrol_totp, totp_code
from slackclone.testing.api import ApiClient, _next_address, error_code
from slackclone.testing.factories import DEFAULT_PASSWORD
from slackclone.testing.signin import sign_in

pytestmark = pytest.mark.django_db

ELEVEN_MINUTES = 11 * 60


def _page_client(user, **kwargs) -> Client:
    client = Client(REMOTE_ADDR=_next_address())
    sign_in(client, user, **kwargs)
    return client


def test_a_fresh_sign_in_creates_a_token_on_the_page(team):
    client = _page_client(team.member)
    response = client.post("/accounts/tokens/", {"name": "ci", "workspace": team.workspace.public_id})
    assert response.status_code == 200
    assert ApiToken.objects.filter(user=team.member, name="ci").exists()


def test_an_old_sign_in_is_asked_for_the_password_first_and_the_request_then_goes_through(team):
    client = _page_client(team.member, seconds_ago=ELEVEN_MINUTES)
    response = client.post("/accounts/tokens/", {"name": "ci", "workspace": team.workspace.public_id})
    assert (response.status_code, response["Location"]) == (302, "/auth/reauthenticate/?next=%2Faccounts%2Ftokens%2F")
    assert not ApiToken.objects.filter(user=team.member).exists()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'class="btn btn--primary"' in page.content.decode()
    wrong = client.post("/auth/reauthenticate/?next=/accounts/tokens/", {"password": "wrong"})
    assert wrong.status_code == 200
    assert not ApiToken.objects.filter(user=team.member).exists()
    done = client.post("/auth/reauthenticate/?next=/accounts/tokens/", {"password": DEFAULT_PASSWORD})
    assert done.status_code == 200  # the suspended POST, replayed: the new token's page
    assert ApiToken.objects.filter(user=team.member, name="ci").exists()


def test_a_person_with_two_factor_may_re_authenticate_with_a_code(team):
    secret = enrol_totp(team.member)
    client = _page_client(team.member, seconds_ago=ELEVEN_MINUTES, methods=("password", "mfa"))
    client.post("/accounts/tokens/", {"name": "ci", "workspace": team.workspace.public_id})
    done = client.post("/auth/2fa/reauthenticate/?next=/accounts/tokens/", {"code": totp_code(secret)})
    assert done.status_code == 200
    assert ApiToken.objects.filter(user=team.member, name="ci").exists()


def test_the_api_refuses_an_old_sign_in_with_reauthentication_required(team):
    client = ApiClient()
    sign_in(client, team.member, seconds_ago=ELEVEN_MINUTES)
    response = client.post("/api/v1/tokens", {"workspace": team.workspace.public_id, "name": "ci"})
    assert (response.status_code, error_code(response)) == (401, "reauthentication_required")
    assert not ApiToken.objects.filter(user=team.member).exists()
    fresh = ApiClient()
    sign_in(fresh, team.member)
    assert fresh.post("/api/v1/tokens", {"workspace": team.workspace.public_id, "name": "ci"}).status_code == 201


def test_a_signed_in_session_with_no_record_of_how_must_re_authenticate(team):
    client = ApiClient()
    client.force_login(team.member)
    response = client.post("/api/v1/tokens", {"workspace": team.workspace.public_id, "name": "ci"})
    assert error_code(response) == "reauthentication_required"
