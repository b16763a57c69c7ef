"""The webhook admin page (/<slug>/admin/integrations/), the REST API and the Django admin."""

from __future__ import annotations

import re

import pytest

from integrations.models import IncomingWebhook
from integrations.tokens import api_token_create

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


@pytest.fixture
def private_hook(team):
    """A webhook into a private channel that only the owner is in."""
    from chat.services import channel_create
    from integrations.services import webhook_create

    private = channel_create(actor=team.owner, workspace=team.workspace, name="secret-merger", is_private=True)
    webhook, _ = webhook_create(actor=team.owner, channel=private, name="Deals")
    return webhook


def _leaks(body: str, channel) -> bool:
    return channel.public_id in body or channel.name in body


def test_the_rest_list_hides_a_private_channel_from_admins_not_in_it(client, team, private_hook):
    base = f"/api/v1/workspaces/{team.workspace.public_id}/webhooks"
    admin = api_token_create(actor=None, user=team.admin, workspace=team.workspace)[1]
    response = client.get(base, HTTP_AUTHORIZATION=f"Bearer {admin}")
    (listed,) = response.json()["webhooks"]
    assert (listed["id"], listed["channel"], listed["channel_is_private"]) == (private_hook.public_id, None, True)
    assert not _leaks(response.content.decode(), private_hook.channel)

    owner = api_token_create(actor=None, user=team.owner, workspace=team.workspace)[1]
    (seen,) = client.get(base, HTTP_AUTHORIZATION=f"Bearer {owner}").json()["webhooks"]
    assert (seen["channel"], seen["channel_is_private"]) == (private_hook.channel.public_id, True)


def test_the_admin_page_hides_a_private_channel_from_admins_not_in_it(client, team, private_hook):
    client.force_login(team.admin)
    body = client.get(page(team)).content.decode()
    assert "Deals" in body
    assert "a private channel" in body
    assert not _leaks(body, private_hook.channel)

    client.force_login(team.owner)
    assert "#secret-merger" in client.get(page(team)).content.decode()


def test_the_django_admin_hides_a_private_channel_from_staff_not_in_it(admin_client, team, private_hook):
    listing = admin_client.get("/admin/integrations/incomingwebhook/").content.decode()
    detail = admin_client.get(f"/admin/integrations/incomingwebhook/{private_hook.pk}/change/").content.decode()
    searched = admin_client.get("/admin/integrations/incomingwebhook/?q=secret-merger").content.decode()
    assert "Deals" in listing
    assert not _leaks(listing, private_hook.channel)
    assert not _leaks(detail, private_hook.channel)
    assert "Deals" not in searched  # searching by a private channel's name is no oracle either
