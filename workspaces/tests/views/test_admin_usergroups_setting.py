"""The settings page's "members may create and manage user groups": owners and admins choose it."""

from __future__ import annotations

import pytest

from slackclone.testing.web import web_client

pytestmark = pytest.mark.django_db


def url(team) -> str:
    return f"/{team.workspace.slug}/admin/settings/usergroups/"


def test_an_admin_lets_members_manage_user_groups_and_takes_it_back(team):
    client = web_client(team.admin)
    assert b"Members may create and manage user groups" in client.get(f"/{team.workspace.slug}/admin/settings/").content

    assert client.post(url(team), {"usergroups_by_members": "on"}).status_code == 302
    team.workspace.refresh_from_db()
    assert team.workspace.usergroups_by_members

    client.post(url(team), {})
    team.workspace.refresh_from_db()
    assert not team.workspace.usergroups_by_members


@pytest.mark.parametrize("who", ["member", "guest"])
def test_members_and_guests_cannot_choose_it(team, who):
    response = web_client(getattr(team, who)).post(url(team), {"usergroups_by_members": "on"})

    assert response.status_code == 403
    team.workspace.refresh_from_db()
    assert not team.workspace.usergroups_by_members


def test_an_outsider_finds_nothing(team, outsider):
    assert web_client(outsider).post(url(team), {"usergroups_by_members": "on"}).status_code == 404
