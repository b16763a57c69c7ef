"""The Django admin shows the audit log read only: listed, filtered, searched, opened, never changed."""

from __future__ import annotations

import pytest

from audit.models import AuditAction, AuditEvent
from audit.services import audit_record
from audit.tests.helpers import only
from chat.tests.admin.support import admin_url, form_data
from slackclone.testing.factories import UserFactory
from slackclone.testing.web import web_client

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/audit/auditevent/"


@pytest.fixture
def staff_client():
    return web_client(UserFactory(is_staff=True, is_superuser=True))


def test_the_log_is_listed_filtered_and_searched(team, staff_client):
    audit_record(action=AuditAction.ROLE_CHANGED, actor=team.owner, workspace=team.workspace, target_label="findme")
    audit_record(action=AuditAction.TOKEN_CREATED, workspace=team.workspace, target_label="other")

    assert staff_client.get(CHANGELIST).status_code == 200
    filtered = staff_client.get(CHANGELIST, {"action__exact": "role_changed"}).content.decode()
    assert "findme" in filtered
    assert ">other<" not in filtered
    assert "findme" in staff_client.get(CHANGELIST, {"q": team.owner.email}).content.decode()


def test_nothing_can_be_added_changed_or_deleted(team, staff_client):
    event = audit_record(action=AuditAction.ROLE_CHANGED, workspace=team.workspace, target_label="kept")

    assert staff_client.get(CHANGELIST + "add/").status_code == 403
    detail = staff_client.get(f"{CHANGELIST}{event.pk}/change/")
    assert detail.status_code == 200
    assert "kept" in detail.content.decode()
    assert staff_client.post(f"{CHANGELIST}{event.pk}/change/", {"target_label": "forged"}).status_code == 403
    assert staff_client.post(f"{CHANGELIST}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    deleted = staff_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )
    assert deleted.status_code in (200, 302)
    event.refresh_from_db()
    assert event.target_label == "kept"
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_staff_set_a_workspaces_audit_retention_through_the_service_and_it_is_recorded(team, admin_client, admin_user):
    url = admin_url("workspaces.Workspace", "change", team.workspace.pk)
    data = {key: value for key, value in form_data(admin_client.get(url)).items() if key != "icon"}

    assert admin_client.post(url, data | {"audit_retention_days": "7"}).status_code == 200  # refused: under 30
    admin_client.post(url, data | {"audit_retention_days": "60"})

    team.workspace.refresh_from_db()
    assert team.workspace.audit_retention_days == 60
    change = only(AuditAction.AUDIT_RETENTION_CHANGED)
    assert (change.actor, change.data) == (admin_user, {"from": None, "to": 60})
