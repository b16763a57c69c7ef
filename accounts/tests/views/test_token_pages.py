"""The API tokens page: list with last use, create (the secret shown once), revoke."""

from __future__ import annotations

from django.test import override_settings
from django.utils import timezone

from accounts.models import ApiToken, hash_token
from slackclone.testing.factories import ApiTokenFactory
from slackclone.testing.web import web_client
from workspaces.tokens import api_token_authenticate


def test_creating_a_token_shows_the_secret_once_and_it_works(team):
    client = web_client(team.member)
    response = client.post("/accounts/tokens/", {"name": "deploy script", "workspace": team.workspace.public_id})
    assert response.status_code == 200
    raw = response.context["created"]["raw"]
    assert raw.startswith("xoxp-")
    assert raw.encode() in response.content
    assert response["Cache-Control"].startswith("max-age=0")
    token = ApiToken.objects.get(user=team.member)
    assert (token.name, token.token_hash) == ("deploy script", hash_token(raw))
    assert api_token_authenticate(raw).pk == token.pk
    assert raw.encode() not in client.get("/accounts/tokens/").content


def test_the_list_shows_when_each_token_was_last_used(team):
    ApiTokenFactory(user=team.member, workspace=team.workspace, name="used", last_used_at=timezone.now())
    ApiTokenFactory(user=team.member, workspace=team.workspace, name="idle")
    ApiTokenFactory(user=team.other_member, workspace=team.workspace, name="not mine")
    response = web_client(team.member).get("/accounts/tokens/")
    assert [t.name for t in response.context["tokens"]] == ["idle", "used"]
    assert b"0\xc2\xa0minutes ago" in response.content
    assert b"Never" in response.content
    assert b"not mine" not in response.content


def test_a_token_for_a_workspace_you_are_not_in_is_refused(team, outsider):
    response = web_client(outsider).post("/accounts/tokens/", {"name": "x", "workspace": team.workspace.public_id})
    assert response.status_code == 400
    assert "Select a valid choice" in response.context["form"].errors["workspace"][0]
    assert not ApiToken.objects.filter(user=outsider).exists()


@override_settings(API_AUTH_RATE="2/m")
def test_token_creation_is_rate_limited(team):
    client = web_client(team.member)
    for _ in range(2):
        client.post("/accounts/tokens/", {"workspace": team.workspace.public_id})
    assert client.post("/accounts/tokens/", {"workspace": team.workspace.public_id}).status_code == 429
    assert ApiToken.objects.filter(user=team.member).count() == 2


def test_revoking_a_token_stops_it_at_once(team):
    token = ApiTokenFactory(user=team.member, workspace=team.workspace)
    response = web_client(team.member).post(f"/accounts/tokens/{token.public_id}/revoke/", follow=True)
    assert response.redirect_chain == [("/accounts/tokens/", 302)]
    assert b"Revoked" in response.content
    token.refresh_from_db()
    assert token.is_revoked


def test_someone_elses_token_does_not_exist_for_you(team):
    token = ApiTokenFactory(user=team.other_member, workspace=team.workspace)
    client = web_client(team.member)
    assert client.post(f"/accounts/tokens/{token.public_id}/revoke/").status_code == 404
    assert client.get(f"/accounts/tokens/{token.public_id}/revoke/").status_code == 405
    token.refresh_from_db()
    assert not token.is_revoked
