"""API tokens over the API: created from a session and shown once, listed with last use, revoked."""

from __future__ import annotations

from accounts.models import ApiToken
from notifications.services.reminders import slackbot
from slackclone.testing.api import ApiClient, error_code
from slackclone.testing.factories import BotFactory, add_member


def test_create_token_shows_the_secret_once_and_it_works(team, client_for):
    response = client_for(team.member).post("/api/v1/tokens", {"workspace": team.workspace.public_id, "name": "cli"})
    assert response.status_code == 201
    body = response.json()
    secret = body["secret"]
    assert secret.startswith("xoxp-")
    assert body["token"]["id"].startswith("K")
    assert body["token"]["last_used"] is None
    stored = ApiToken.objects.get(public_id=body["token"]["id"])
    assert secret not in (stored.token_hash, stored.prefix)
    me = ApiClient(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/me")
    assert me.json()["user"]["id"] == team.member.public_id
    listed = client_for(team.member).get("/api/v1/tokens").json()["tokens"]
    assert [t["id"] for t in listed] == [body["token"]["id"]]
    assert listed[0]["last_used"] is not None
    assert "secret" not in listed[0]


def test_tokens_cannot_create_tokens(team, client_for):
    response = client_for(team.member, team.workspace).post("/api/v1/tokens", {"workspace": team.workspace.public_id})
    assert (response.status_code, error_code(response)) == (403, "restricted_action")


def test_token_for_a_workspace_you_are_not_in_is_404(team, outsider, client_for):
    response = client_for(outsider).post("/api/v1/tokens", {"workspace": team.workspace.public_id})
    assert (response.status_code, error_code(response)) == (404, "workspace_not_found")


def test_admins_create_tokens_for_bots(team, client_for):
    bot = add_member(team.workspace, BotFactory(bot_workspace=team.workspace))
    response = client_for(team.admin).post(
        "/api/v1/tokens", {"workspace": team.workspace.public_id, "user": bot.public_id}
    )
    assert response.status_code == 201
    assert response.json()["secret"].startswith("xoxb-")
    assert response.json()["token"]["user"] == bot.public_id


def test_members_cannot_create_bot_tokens(team, client_for):
    bot = add_member(team.workspace, BotFactory(bot_workspace=team.workspace))
    response = client_for(team.member).post(
        "/api/v1/tokens", {"workspace": team.workspace.public_id, "user": bot.public_id}
    )
    assert (response.status_code, error_code(response)) == (403, "restricted_action")


def test_admins_cannot_create_tokens_for_people(team, client_for):
    response = client_for(team.admin).post(
        "/api/v1/tokens", {"workspace": team.workspace.public_id, "user": team.member.public_id}
    )
    assert error_code(response) == "restricted_action"


def test_revoke_takes_effect_at_once(team, client_for):
    client = client_for(team.member, team.workspace)
    token = ApiToken.objects.get(user=team.member)
    response = client_for(team.member).delete(f"/api/v1/tokens/{token.public_id}")
    assert response.json()["token"]["revoked"] is True
    assert error_code(client.get("/api/v1/me")) == "invalid_auth"


def test_a_token_can_revoke_itself(team, client_for):
    client = client_for(team.member, team.workspace)
    token = ApiToken.objects.get(user=team.member)
    assert client.delete(f"/api/v1/tokens/{token.public_id}").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_someone_elses_token_is_404(team, client_for):
    client_for(team.owner, team.workspace)
    token = ApiToken.objects.get(user=team.owner)
    response = client_for(team.member).delete(f"/api/v1/tokens/{token.public_id}")
    assert (response.status_code, error_code(response)) == (404, "token_not_found")


def test_workspace_admins_may_revoke_any_token_of_their_workspace(team, client_for):
    client_for(team.member, team.workspace)
    token = ApiToken.objects.get(user=team.member)
    assert client_for(team.admin).delete(f"/api/v1/tokens/{token.public_id}").status_code == 200


def test_a_token_acts_in_its_workspace_only(team, outsider, client_for):
    from workspaces.services import member_add

    member_add(actor=None, workspace=outsider.memberships.get().workspace, user=team.member)
    other = outsider.memberships.get().workspace
    client = client_for(team.member, team.workspace)
    assert client.get(f"/api/v1/workspaces/{other.public_id}").status_code == 404
    assert [w["id"] for w in client.get("/api/v1/workspaces").json()["workspaces"]] == [team.workspace.public_id]
    session = client_for(team.member)
    assert session.get(f"/api/v1/workspaces/{other.public_id}").status_code == 200


def test_the_rest_api_refuses_a_token_for_the_reminder_bot(team, client_for):
    bot = slackbot(team.workspace)
    response = client_for(team.admin).post(
        "/api/v1/tokens", {"workspace": team.workspace.public_id, "user": bot.public_id, "name": "x"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "bot_token_not_allowed"
