"""The audit page (/<slug>/admin/audit/): owners only, filtered, paged, exported as CSV and JSON lines, and the
retention setting."""

from __future__ import annotations

import asyncio
import csv
import io
import json

import pytest

from audit.models import AuditAction, AuditEvent
from audit.services import audit_record
from audit.tests.helpers import only
from audit.views import PAGE_SIZE, ChunkedStreamingResponse
from slackclone.testing.web import web_client
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


def _url(team, tail: str = "") -> str:
    return f"/{team.workspace.slug}/admin/audit/{tail}"


def _body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_an_owner_sees_the_events_and_the_link_in_the_admin_navigation(team):
    audit_record(
        action=AuditAction.ROLE_CHANGED,
        actor=team.admin,
        workspace=team.workspace,
        target=team.member,
        data={"to": "guest"},
    )
    response = web_client(team.owner).get(_url(team))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Role changed" in page
    assert team.admin.email in page
    assert team.member.name in page
    assert f'href="{_url(team)}"' in page
    members_page = web_client(team.owner).get(f"/{team.workspace.slug}/admin/members/").content.decode()
    assert f'href="{_url(team)}"' in members_page


def test_admins_do_not_see_the_link(team):
    page = web_client(team.admin).get(f"/{team.workspace.slug}/admin/members/").content.decode()
    assert _url(team) not in page


@pytest.mark.parametrize("tail", ["", "export.csv", "export.jsonl"])
@pytest.mark.parametrize(("who", "status"), [("admin", 403), ("member", 403), ("guest", 403), ("outsider", 404)])
def test_everyone_but_owners_is_refused(team, outsider, tail, who, status):
    person = outsider if who == "outsider" else getattr(team, who)
    assert web_client(person).get(_url(team, tail)).status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(team):
    response = web_client().get(_url(team))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_owner_of_another_workspace_sees_nothing_of_this_one(team, outsider):
    audit_record(action=AuditAction.ROLE_CHANGED, workspace=team.workspace, target_label="secret-change")
    theirs = Workspace.objects.get(memberships__user=outsider)

    assert web_client(outsider).get(_url(team)).status_code == 404
    page = web_client(outsider).get(f"/{theirs.slug}/admin/audit/").content.decode()
    csv_body = _body(web_client(outsider).get(f"/{theirs.slug}/admin/audit/export.csv"))
    assert "secret-change" not in page
    assert "secret-change" not in csv_body


def test_filters_narrow_the_page_and_bad_ones_are_explained(team):
    audit_record(action=AuditAction.ROLE_CHANGED, actor=team.admin, workspace=team.workspace, target_label="role-row")
    audit_record(
        action=AuditAction.TOKEN_CREATED, actor=team.member, workspace=team.workspace, target_label="token-row"
    )
    client = web_client(team.owner)

    page = client.get(_url(team), {"action": "token_created", "actor": team.member.email}).content.decode()
    assert "token-row" in page
    assert "role-row" not in page
    bad = client.get(_url(team), {"action": "nonsense", "since": "2026-02-10", "until": "2026-02-01"})
    assert bad.status_code == 400
    assert "role-row" not in bad.content.decode()


def test_pages_go_back_in_time(team):
    for n in range(PAGE_SIZE + 3):
        audit_record(action=AuditAction.ROLE_CHANGED, workspace=team.workspace, target_label=f"row-{n:03d}-")
    client = web_client(team.owner)

    first = client.get(_url(team), {"action": "role_changed"})
    page = first.content.decode()
    assert "row-052-" in page
    assert "row-002-" not in page
    next_link = page.split('class="btn" href="?')[1].split('"')[0].replace("&amp;", "&")
    assert "action=role_changed" in next_link
    second = client.get(_url(team) + "?" + next_link).content.decode()
    assert "row-002-" in second
    assert "row-000-" in second
    assert "row-052-" not in second


def test_the_csv_export_holds_the_filtered_events_neutralises_formulas_and_is_recorded(team):
    audit_record(
        action=AuditAction.APP_CREATED,
        actor=team.admin,
        workspace=team.workspace,
        target_label='=HYPERLINK("http://evil")',
        data={"scopes": ["chat:write"]},
    )
    audit_record(action=AuditAction.ROLE_CHANGED, workspace=team.workspace, target_label="filtered out")
    response = web_client(team.owner).get(_url(team, "export.csv"), {"action": "app_created"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="audit-{team.workspace.slug}-')
    rows = list(csv.reader(io.StringIO(_body(response))))
    assert rows[0][:3] == ["id", "created_at", "action"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["action"], row["actor_email"], row["workspace"]) == (
        "app_created",
        team.admin.email,
        team.workspace.public_id,
    )
    assert row["target_label"] == '\'=HYPERLINK("http://evil")'
    assert json.loads(row["data"]) == {"scopes": ["chat:write"]}
    export = only(AuditAction.EXPORT_RUN)
    assert (export.actor, export.data) == (
        team.owner,
        {"what": "audit_log", "format": "csv", "filters": {"action": "app_created"}},
    )


def test_the_json_lines_export_gives_one_event_per_line_in_the_api_shape(team):
    audit_record(action=AuditAction.ROLE_CHANGED, actor=team.admin, workspace=team.workspace, target=team.member)
    audit_record(action=AuditAction.SIGN_IN, actor=team.member, target=team.member, data={"method": "password"})
    response = web_client(team.owner).get(_url(team, "export.jsonl"))

    assert response["Content-Type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in _body(response).splitlines()]
    by_action = {line["action"]: line for line in lines}
    assert set(by_action) >= {"role_changed", "sign_in"}
    assert by_action["sign_in"]["workspace"] is None
    assert by_action["sign_in"]["actor"] == {"id": team.member.public_id, "email": team.member.email}
    assert by_action["role_changed"]["target"] == {
        "type": "user",
        "id": team.member.public_id,
        "label": str(team.member),
    }
    assert by_action["role_changed"]["created_at"].endswith("Z")


def test_every_action_can_be_filtered_shown_and_exported(team):
    for action in AuditAction:
        audit_record(action=action, workspace=team.workspace, target_label=f"label-{action.value}")
    client = web_client(team.owner)

    for action in AuditAction:
        page = client.get(_url(team), {"action": action.value})
        assert page.status_code == 200
        assert str(action.label) in page.content.decode()
    lines = _body(client.get(_url(team, "export.jsonl"))).splitlines()
    assert {json.loads(line)["action"] for line in lines} >= {a.value for a in AuditAction}


def test_an_owner_sets_the_retention_on_the_page(team):
    client = web_client(team.owner)
    response = client.post(_url(team, "retention/"), {"audit_retention_days": "90"})
    assert response.status_code == 302
    team.workspace.refresh_from_db()
    assert team.workspace.audit_retention_days == 90

    refused = client.post(_url(team, "retention/"), {"audit_retention_days": "7"})
    assert refused.status_code == 400
    client.post(_url(team, "retention/"), {"audit_retention_days": ""})
    team.workspace.refresh_from_db()
    assert team.workspace.audit_retention_days is None


def test_admins_cannot_set_the_retention(team):
    assert web_client(team.admin).post(_url(team, "retention/"), {"audit_retention_days": "30"}).status_code == 403
    team.workspace.refresh_from_db()
    assert team.workspace.audit_retention_days is None


def test_the_export_streams_a_chunk_at_a_time_under_asgi():
    pulled: list[int] = []

    def chunks():
        for n in range(3):
            pulled.append(n)
            yield f"chunk {n}\n"

    response = ChunkedStreamingResponse(chunks())

    async def first_chunk() -> bytes:
        iterator = response.__aiter__()
        return await iterator.__anext__()

    assert asyncio.run(first_chunk()) == b"chunk 0\n"
    assert pulled == [0]


def test_recorded_events_are_unchanged_by_viewing_them(team):
    audit_record(action=AuditAction.ROLE_CHANGED, workspace=team.workspace)
    before = list(AuditEvent.objects.values())
    web_client(team.owner).get(_url(team))
    assert [row for row in AuditEvent.objects.values() if row["action"] == "role_changed"] == before
