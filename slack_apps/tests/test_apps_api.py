"""A workspace's apps over the REST API: its owners and admins manage them; nobody else sees them."""

from __future__ import annotations

import json

import pytest

from slack_apps.models import App
from slack_apps.tests.test_manifest import BOLT_MANIFEST
from workspaces.models import Membership
from workspaces.tokens import api_token_authenticate

pytestmark = pytest.mark.django_db


def base(team) -> str:
    return f"/api/v1/workspaces/{team.workspace.public_id}/apps"


def post(client, url: str, body: dict):
    return client.post(url, body, content_type="application/json")


def test_an_admin_creates_lists_updates_rotates_and_deletes_an_app(client, team):
    client.force_login(team.admin)
    created = post(client, base(team), {"manifest": json.dumps(BOLT_MANIFEST)})
    assert created.status_code == 201
    body = created.json()
    app_id = body["app"]["id"]
    assert body["app"]["commands"][0]["command"] == "/deploy"
    assert api_token_authenticate(body["credentials"]["bot_token"]).scopes == body["app"]["scopes"]
    assert [a["id"] for a in client.get(base(team)).json()["apps"]] == [app_id]

    disabled = client.patch(f"{base(team)}/{app_id}", {"enabled": False}, content_type="application/json").json()
    assert disabled["disabled"] is not None
    rotated = post(client, f"{base(team)}/{app_id}/rotate", {"secret": "signing_secret"}).json()
    assert len(rotated["secret"]) == 32
    assert client.delete(f"{base(team)}/{app_id}").json() == {"ok": True}
    assert not App.objects.exists()


def test_bad_input_is_refused_with_its_code_and_nothing_is_made(client, team):
    client.force_login(team.admin)
    bad = post(client, base(team), {"manifest": "settings: {colour: red}"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_manifest"
    assert bad.json()["error"]["fields"]["/settings/colour"].startswith("is not a part")
    assert post(client, base(team), {}).json()["error"]["code"] == "invalid_arguments"
    assert post(client, base(team), {"name": "x" * 36}).status_code == 400
    made = post(client, base(team), {"name": "Rot"}).json()["app"]["id"]
    rotate = post(client, f"{base(team)}/{made}/rotate", {"secret": "password"})
    assert rotate.json()["error"]["code"] == "invalid_arguments"
    assert App.objects.count() == 1


def test_members_guests_and_other_workspaces_cannot_reach_apps(client, team, outsider):
    client.force_login(team.admin)
    app_id = post(client, base(team), {"name": "Guarded"}).json()["app"]["id"]
    for person, code in ((team.member, "restricted_action"), (team.guest, "restricted_action")):
        client.force_login(person)
        assert client.get(base(team)).json()["error"]["code"] == code
        assert post(client, f"{base(team)}/{app_id}/rotate", {"secret": "bot_token"}).json()["error"]["code"] == code
    client.force_login(outsider)
    assert client.get(base(team)).json()["error"]["code"] == "workspace_not_found"
    theirs = Membership.objects.get(user=outsider).workspace
    reply = client.get(f"/api/v1/workspaces/{theirs.public_id}/apps/{app_id}")
    assert (reply.status_code, reply.json()["error"]["code"]) == (404, "app_not_found")
