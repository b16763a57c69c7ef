"""The webhook admin page (/<slug>/admin/integrations/), the REST API and the Django admin."""

from __future__ import annotations

import re

import pytest

from accounts.services import api_token_create
from integrations.models import IncomingWebhook

pytestmark = pytest.mark.django_db


def page(team) -> str:
    return f"/{team.workspace.slug}/admin/integrations/"


def test_admin_page_creates_shows_the_url_once_and_revokes(client, team):
    client.force_login(team.admin)
    assert client.get(page(team)).status_code == 200
    created = client.post(page(team), {"name": "Deploys", "channel": team.general.public_id})
    assert created.status_code == 201
    url = re.search(r'value="(http://testserver/hooks/[^"]+)"', created.content.decode()).group(1)
    assert (
        client.post(url.removeprefix("http://testserver"), '{"text": "hi"}', content_type="application/json").content
        == b"ok"
    )
    listing = client.get(page(team)).content.decode()
    assert "Deploys" in listing
    assert url not in listing
    webhook = IncomingWebhook.objects.get()
    revoked = client.post(f"{page(team)}{webhook.public_id}/revoke")
    assert revoked.status_code == 302
    webhook.refresh_from_db()
    assert webhook.is_revoked


def test_admin_page_is_for_admins_only(client, team, outsider):
    client.force_login(team.member)
    assert client.get(page(team)).status_code == 403
    client.force_login(outsider)
    assert client.get(page(team)).status_code == 404
    client.logout()
    assert client.get(page(team)).status_code == 302


def test_rest_api_lists_creates_and_revokes(client, team):
    raw = api_token_create(actor=None, user=team.admin, workspace=team.workspace)[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    base = f"/api/v1/workspaces/{team.workspace.public_id}/webhooks"
    created = client.post(
        base, {"name": "CI", "channel": team.general.public_id}, content_type="application/json", **auth
    )
    assert created.status_code == 201
    body = created.json()["webhook"]
    assert body["url"].startswith(f"http://testserver/hooks/{team.workspace.public_id}/{body['id']}/")
    listed = client.get(base, **auth).json()["webhooks"]
    assert [hook["id"] for hook in listed] == [body["id"]]
    assert "url" not in listed[0]
    assert client.delete(f"{base}/{body['id']}", **auth).json() == {"ok": True}
    assert client.get(base, **auth).json()["webhooks"][0]["revoked"] is not None

    member = api_token_create(actor=None, user=team.member, workspace=team.workspace)[1]
    refused = client.get(base, HTTP_AUTHORIZATION=f"Bearer {member}")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "restricted_action"


def test_django_admin_creates_through_the_service(admin_client, team):
    response = admin_client.post(
        "/admin/integrations/incomingwebhook/add/",
        {"name": "From admin", "workspace": team.workspace.pk, "channel": team.general.pk},
        follow=True,
    )
    assert response.status_code == 200
    webhook = IncomingWebhook.objects.get(name="From admin")
    assert webhook.bot.is_bot
    assert "shown once" in response.content.decode()
