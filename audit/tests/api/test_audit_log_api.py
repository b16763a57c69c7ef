"""GET /api/v1/workspaces/<T>/audit-log: owners only (a token only in its own workspace), filtered, by cursor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from slackclone.testing.api import error_code
from slackclone.testing.factories import add_member
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


def _url(workspace) -> str:
    return f"/api/v1/workspaces/{workspace.public_id}/audit-log"


def test_an_owner_reads_the_log_by_session_and_by_token(team, client_for):
    audit_record(action=AuditAction.ROLE_CHANGED, actor=team.admin, workspace=team.workspace, target=team.member)

    for client in (client_for(team.owner), client_for(team.owner, team.workspace)):
        response = client.get(_url(team.workspace), {"action": "role_changed"})
        assert response.status_code == 200
        body = response.json()
        assert body["next"] is None
        (event,) = body["events"]
        assert event["action"] == "role_changed"
        assert event["workspace"] == team.workspace.public_id
        assert event["actor"] == {"id": team.admin.public_id, "email": team.admin.email}
        assert event["target"]["id"] == team.member.public_id
        assert set(event) == {
            "id",
            "created_at",
            "action",
            "workspace",
            "actor",
            "target",
            "ip_address",
            "user_agent",
            "data",
        }


@pytest.mark.parametrize("who", ["admin", "member", "guest"])
def test_everyone_else_in_the_workspace_is_refused(team, client_for, who):
    person = getattr(team, who)
    for client in (client_for(person), client_for(person, team.workspace)):
        response = client.get(_url(team.workspace))
        assert response.status_code == 403
        assert error_code(response) == "restricted_action"


def test_someone_outside_the_workspace_finds_nothing(team, outsider, client_for):
    response = client_for(outsider).get(_url(team.workspace))
    assert response.status_code == 404
    assert error_code(response) == "workspace_not_found"


def test_an_owners_token_of_another_workspace_does_not_reach_this_one(team, outsider, client_for):
    theirs = Workspace.objects.get(memberships__user=outsider)
    add_member(team.workspace, outsider, role="owner")
    response = client_for(outsider, theirs).get(_url(team.workspace))
    assert response.status_code == 404
    assert error_code(response) == "workspace_not_found"
    assert client_for(outsider, team.workspace).get(_url(team.workspace)).status_code == 200


def test_signed_out_requests_are_refused(team, client_for):
    response = client_for(None).get(_url(team.workspace))
    assert response.status_code in (401, 403)


def test_cursor_pages_cover_everything_once_with_the_filters_kept(team, client_for):
    for n in range(5):
        audit_record(action=AuditAction.TOKEN_CREATED, workspace=team.workspace, target_label=f"t{n}")
    audit_record(action=AuditAction.ROLE_CHANGED, workspace=team.workspace, target_label="other")
    client = client_for(team.owner)

    labels, url, params = [], _url(team.workspace), {"action": "token_created", "limit": 2}
    while url:
        body = client.get(url, params).json()
        labels += [event["target"]["label"] for event in body["events"]]
        url, params = body["next"], None
    assert labels == ["t4", "t3", "t2", "t1", "t0"]


def test_time_and_person_filters(team, client_for):
    audit_record(action=AuditAction.TOKEN_CREATED, actor=team.member, workspace=team.workspace, target_label="mine")
    audit_record(action=AuditAction.TOKEN_CREATED, actor=team.admin, workspace=team.workspace, target_label="theirs")
    client = client_for(team.owner)
    soon = (timezone.now() + timedelta(minutes=5)).isoformat()

    by_person = client.get(_url(team.workspace), {"actor": team.member.email.upper()}).json()["events"]
    assert [e["target"]["label"] for e in by_person] == ["mine"]
    assert client.get(_url(team.workspace), {"since": soon}).json()["events"] == []
    assert len(client.get(_url(team.workspace), {"until": soon, "action": "token_created"}).json()["events"]) == 2


@pytest.mark.parametrize(
    "query",
    [
        {"action": "nonsense"},
        {"since": "yesterday"},
        {"cursor": "not-a-cursor"},
        {"cursor": "MjAyNi0wMS0wMVQwMDowMDowMB8x"},  # a time without its zone
        {"cursor": "MjAyNi0wMS0wMVQwMDowMDowMCswMDowMB9hYmM"},  # not an event number
        {"limit": 0},
        {"since": "2026-02-10T00:00:00Z", "until": "2026-02-01T00:00:00Z"},
    ],
)
def test_bad_queries_answer_400_in_the_error_shape(team, client_for, query):
    response = client_for(team.owner).get(_url(team.workspace), query)
    assert response.status_code == 400
    assert error_code(response) == "invalid_arguments"
