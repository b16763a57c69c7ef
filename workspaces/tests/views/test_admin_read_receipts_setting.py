"""The settings page's read receipts, and workspace_set_read_receipts behind it: owners and admins choose."""

from __future__ import annotations

import pytest

from realtime.transport import user_group, workspace_group
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused
from slackclone.testing.web import web_client
from workspaces.services import workspace_set_read_receipts

pytestmark = pytest.mark.django_db


def url(team) -> str:
    return f"/{team.workspace.slug}/admin/settings/read-receipts/"


def test_off_until_an_admin_turns_them_on_and_off_again(team):
    client = web_client(team.admin)
    page = client.get(f"/{team.workspace.slug}/admin/settings/").content
    assert b"Show read receipts in direct messages" in page
    assert not team.workspace.read_receipts

    assert client.post(url(team), {"read_receipts": "on"}).status_code == 302
    team.workspace.refresh_from_db()
    assert team.workspace.read_receipts

    client.post(url(team), {})
    team.workspace.refresh_from_db()
    assert not team.workspace.read_receipts


@pytest.mark.parametrize("who", ["member", "guest"])
def test_members_and_guests_cannot_choose_it(team, who):
    response = web_client(getattr(team, who)).post(url(team), {"read_receipts": "on"})
    assert response.status_code == 403
    team.workspace.refresh_from_db()
    assert not team.workspace.read_receipts


def test_an_outsider_finds_nothing(team, outsider):
    assert web_client(outsider).post(url(team), {"read_receipts": "on"}).status_code == 404


def test_the_service_refuses_members_and_what_is_not_a_boolean(team):
    with refused(ErrorCode.RESTRICTED_ACTION):
        workspace_set_read_receipts(actor=team.member, workspace=team.workspace, enabled=True)
    with refused(ErrorCode.INVALID_ARGUMENTS) as error:
        workspace_set_read_receipts(actor=team.owner, workspace=team.workspace, enabled="yes")
    assert error.value.fields == {"read_receipts": "invalid"}


def test_everyone_in_the_workspace_guests_included_hears_the_change_once(team, monkeypatch):
    from realtime import transport

    sent = []
    monkeypatch.setattr(transport, "_on_commit", lambda groups, message: sent.append((sorted(groups), message)))
    workspace_set_read_receipts(actor=team.owner, workspace=team.workspace, enabled=True)
    workspace_set_read_receipts(actor=team.owner, workspace=team.workspace, enabled=True)  # no change, no news
    workspace_set_read_receipts(actor=None, workspace=team.workspace, enabled=False)
    events = [(groups, message["payload"]) for groups, message in sent if message["type"] == "chat.event"]
    audience = sorted([workspace_group(team.workspace), user_group(team.guest)])
    assert [groups for groups, _ in events] == [audience, audience]
    assert [payload for _, payload in events] == [
        '{"type":"team_pref_change","name":"read_receipts","value":true}',
        '{"type":"team_pref_change","name":"read_receipts","value":false}',
    ]
    assert all(message["workspace"] == team.workspace.public_id for _, message in sent if "workspace" in message)
