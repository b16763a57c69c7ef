"""Audit retention: owners choose how long their workspace keeps its events; a daily task deletes older ones in
batches and records that it did; account events follow the operator's setting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from audit.retention import audit_prune, audit_prune_all
from audit.services import audit_record
from audit.tasks import prune_audit_log
from audit.tests.helpers import only, recorded
from slackclone.errors import DomainError, ErrorCode
from slackclone.testing.factories import workspace_with_owner
from workspaces.services import workspace_set_audit_retention

pytestmark = pytest.mark.django_db


def _old(workspace, label: str, days: int) -> AuditEvent:
    event = AuditEvent(
        action=AuditAction.ROLE_CHANGED,
        workspace=workspace,
        target_label=label,
        created_at=timezone.now() - timedelta(days=days),
    )
    event.save()
    return event


def _labels(workspace=None) -> list[str]:
    rows = AuditEvent.objects.filter(action=AuditAction.ROLE_CHANGED)
    if workspace is not None:
        rows = rows.filter(workspace=workspace)
    return sorted(rows.values_list("target_label", flat=True))


def test_an_owner_sets_the_retention_and_the_change_is_recorded(team):
    workspace_set_audit_retention(actor=team.owner, workspace=team.workspace, days=90)
    workspace_set_audit_retention(actor=team.owner, workspace=team.workspace, days=90)
    workspace_set_audit_retention(actor=team.owner, workspace=team.workspace, days=None)

    team.workspace.refresh_from_db()
    assert team.workspace.audit_retention_days is None
    changes = recorded(AuditAction.AUDIT_RETENTION_CHANGED)
    assert [(e.actor, e.workspace, e.data) for e in changes] == [
        (team.owner, team.workspace, {"from": None, "to": 90}),
        (team.owner, team.workspace, {"from": 90, "to": None}),
    ]


@pytest.mark.parametrize("who", ["admin", "member", "guest"])
def test_only_owners_set_the_retention(team, who):
    with pytest.raises(DomainError) as refused:
        workspace_set_audit_retention(actor=getattr(team, who), workspace=team.workspace, days=60)
    assert refused.value.code == ErrorCode.RESTRICTED_ACTION
    assert not recorded(AuditAction.AUDIT_RETENTION_CHANGED)


@pytest.mark.parametrize("days", [0, 29, 3651, -5, True, "60"])
def test_a_retention_outside_30_to_3650_days_is_refused(team, days):
    with pytest.raises(DomainError) as refused:
        workspace_set_audit_retention(actor=team.owner, workspace=team.workspace, days=days)
    assert refused.value.code == ErrorCode.INVALID_ARGUMENTS
    assert refused.value.fields == {"audit_retention_days": "invalid"}


def test_pruning_deletes_older_events_in_batches_and_records_the_run(team):
    for n in range(5):
        _old(team.workspace, f"old {n}", days=40)
    _old(team.workspace, "recent", days=20)
    workspace_set_audit_retention(actor=team.owner, workspace=team.workspace, days=30)

    assert audit_prune(workspace=team.workspace, batch_size=2) == 5

    assert _labels(team.workspace) == ["recent"]
    run = only(AuditAction.RETENTION_RUN)
    assert (run.workspace, run.actor) == (team.workspace, None)
    assert run.data["what"] == "audit_log"
    assert run.data["events_deleted"] == 5
    assert run.data["retention_days"] == 30
    assert audit_prune(workspace=team.workspace) == 0
    assert len(recorded(AuditAction.RETENTION_RUN)) == 1


def test_a_workspace_without_retention_keeps_everything_and_others_are_untouched(team):
    other = workspace_with_owner()
    _old(team.workspace, "ours", days=4000)
    _old(other, "theirs", days=40)
    workspace_set_audit_retention(actor=None, workspace=other, days=30)

    assert prune_audit_log.delay().get() == 1

    assert _labels() == ["ours"]


def test_account_events_follow_the_operators_setting(team, settings):
    old = AuditEvent(action=AuditAction.SIGN_IN, created_at=timezone.now() - timedelta(days=400))
    old.save()
    audit_record(action=AuditAction.SIGN_IN)

    settings.AUDIT_ACCOUNT_RETENTION_DAYS = 0
    assert audit_prune_all() == 0
    settings.AUDIT_ACCOUNT_RETENTION_DAYS = 365
    assert audit_prune_all() == 1
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN).count() == 1
