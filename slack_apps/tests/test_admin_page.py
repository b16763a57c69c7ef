"""The workspace admin page for apps: owners and admins add one from a pasted manifest (the credentials
shown once), rotate, disable and delete; nobody else reaches it."""

from __future__ import annotations

import re

import pytest

from slack_apps.models import App
from slack_apps.tests.test_manifest import YAML_MANIFEST
from workspaces.models import Membership
from workspaces.tokens import api_token_authenticate

pytestmark = pytest.mark.django_db


def page(team) -> str:
    return f"/{team.workspace.slug}/admin/apps/"


def test_an_admin_adds_an_app_from_a_manifest_and_sees_its_credentials_once(client, team):
    client.force_login(team.admin)
    assert "No apps yet." in client.get(page(team)).content.decode()

    added = client.post(page(team), {"manifest": YAML_MANIFEST})

    assert added.status_code == 201
    html = added.content.decode()
    bot_token = re.search(r'id="credential-bot_token" type="text" value="(xoxb-[^"]+)"', html).group(1)
    assert api_token_authenticate(bot_token).user == App.objects.get().bot_user
    again = client.get(page(team)).content.decode()
    assert "Standup" in again
    assert bot_token not in again


def test_rotate_disable_and_delete_from_the_page(client, team):
    client.force_login(team.owner)
    client.post(page(team), {"name": "Pager"})
    app = App.objects.get()

    rotated = client.post(f"{page(team)}{app.public_id}/rotate-bot_token").content.decode()
    new_token = re.search(r'id="rotated-secret" type="text" value="(xoxb-[^"]+)"', rotated).group(1)
    assert api_token_authenticate(new_token).user == app.bot_user

    client.post(f"{page(team)}{app.public_id}/disable")
    assert App.objects.get().is_disabled
    client.post(f"{page(team)}{app.public_id}/enable")
    assert not App.objects.get().is_disabled
    client.post(f"{page(team)}{app.public_id}/delete")
    assert not App.objects.exists()


def test_a_bad_manifest_is_shown_with_what_is_wrong_and_nothing_is_made(client, team):
    client.force_login(team.admin)
    answer = client.post(page(team), {"manifest": "settings: {colour: red}"})
    assert answer.status_code == 400
    assert "/settings/colour" in answer.content.decode()
    assert not App.objects.exists()


def test_members_guests_and_other_workspaces_cannot_reach_the_page(client, team, outsider):
    client.force_login(team.admin)
    client.post(page(team), {"name": "Guarded"})
    app = App.objects.get()
    for person, status in ((team.member, 403), (team.guest, 403), (outsider, 404)):
        client.force_login(person)
        assert client.get(page(team)).status_code == status
        assert client.post(f"{page(team)}{app.public_id}/delete").status_code == status
    theirs = Membership.objects.get(user=outsider).workspace
    assert client.post(f"/{theirs.slug}/admin/apps/{app.public_id}/delete").status_code == 404
    assert App.objects.exists()
