"""Which events an owner sees: their workspace's, and their members' account events since they joined; never
another workspace's, nor anyone else's sign-ins. Only owners (and the operator) may read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from audit.selectors import AuditFilters, AuditPosition, audit_page, workspace_audit_events
from audit.services import audit_record
from slackclone.errors import DomainError, ErrorCode
from slackclone.testing.factories import UserFactory, add_member, workspace_with_owner
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


def _labels(events) -> list[str]:
    return [e.target_label for e in events]


def _at(event: AuditEvent, when) -> AuditEvent:
    """Backdate an event (only tests may: a raw UPDATE is refused on PostgreSQL, so recreate it)."""
    AuditEvent.objects.filter(pk=event.pk).delete()
    event.pk, event.created_at = None, when
    event._state.adding = True
    event.save()
    return event


def test_an_owner_sees_the_workspace_and_its_members_account_events_only(team, outsider):
    other = Workspace.objects.exclude(pk=team.workspace.pk).get()
    audit_record(action=AuditAction.ROLE_CHANGED, workspace=team.workspace, target_label="here")
    audit_record(action=AuditAction.ROLE_CHANGED, workspace=other, target_label="elsewhere")
    audit_record(action=AuditAction.SIGN_IN, actor=team.guest, target=team.guest, target_label="member sign-in")
    audit_record(action=AuditAction.SIGN_IN, actor=outsider, target=outsider, target_label="outsider sign-in")
    audit_record(action=AuditAction.SIGN_IN_FAILED, target=team.member, target_label="attempt on a member")
    audit_record(action=AuditAction.SIGN_IN_FAILED, target=outsider, target_label="attempt on an outsider")
    audit_record(action=AuditAction.SIGN_IN_FAILED, target_label="attempt on no account")

    seen = workspace_audit_events(actor=team.owner, workspace=team.workspace)

    assert sorted(_labels(seen)) == ["attempt on a member", "here", "member sign-in"]


def test_a_person_shared_by_two_workspaces_shows_their_account_events_to_both_but_workspace_events_stay(team):
    other = workspace_with_owner()
    add_member(other, team.member)
    audit_record(action=AuditAction.SIGN_OUT, actor=team.member, target=team.member, target_label="account")
    audit_record(action=AuditAction.ROLE_CHANGED, workspace=other, target_label="theirs")

    assert _labels(workspace_audit_events(actor=team.owner, workspace=team.workspace)) == ["account"]
    assert sorted(_labels(workspace_audit_events(actor=None, workspace=other))) == ["account", "theirs"]


def test_what_a_member_did_before_joining_is_not_shown(team):
    newcomer = UserFactory()
    before = audit_record(action=AuditAction.SIGN_IN, actor=newcomer, target=newcomer, target_label="before")
    _at(before, timezone.now() - timedelta(days=1))
    tried = audit_record(action=AuditAction.SIGN_IN_FAILED, target=newcomer, target_label="tried before")
    _at(tried, timezone.now() - timedelta(days=1))
    add_member(team.workspace, newcomer)
    audit_record(action=AuditAction.SIGN_IN, actor=newcomer, target=newcomer, target_label="after")

    assert _labels(workspace_audit_events(actor=team.owner, workspace=team.workspace)) == ["after"]


@pytest.mark.parametrize("who", ["admin", "member", "guest"])
def test_only_owners_may_read_the_log(team, who):
    with pytest.raises(DomainError) as refused:
        workspace_audit_events(actor=getattr(team, who), workspace=team.workspace)
    assert refused.value.code == ErrorCode.RESTRICTED_ACTION


def test_someone_outside_the_workspace_finds_no_workspace(team, outsider):
    with pytest.raises(DomainError) as refused:
        workspace_audit_events(actor=outsider, workspace=team.workspace)
    assert refused.value.code == ErrorCode.WORKSPACE_NOT_FOUND


def test_filters_by_action_person_and_time(team):
    now = timezone.now()
    audit_record(action=AuditAction.ROLE_CHANGED, actor=team.admin, workspace=team.workspace, target_label="role")
    audit_record(action=AuditAction.TOKEN_CREATED, actor=team.member, workspace=team.workspace, target_label="token")
    audit_record(action=AuditAction.SIGN_IN_FAILED, target=team.member, target_label=team.member.email.upper())
    old = audit_record(
        action=AuditAction.TOKEN_CREATED, actor=team.member, workspace=team.workspace, target_label="old"
    )
    _at(old, now - timedelta(days=3))

    def seen(**filters) -> list[str]:
        return _labels(
            workspace_audit_events(actor=team.owner, workspace=team.workspace, filters=AuditFilters(**filters))
        )

    assert seen(action=AuditAction.TOKEN_CREATED) == ["token", "old"]
    assert seen(actor_email=team.member.email.upper()) == [team.member.email.upper(), "token", "old"]
    assert seen(since=now - timedelta(days=1)) == [team.member.email.upper(), "token", "role"]
    assert seen(until=now - timedelta(days=1)) == ["old"]
    assert seen(actor_email="nobody@example.com") == []


def test_events_older_than_the_retention_are_hidden_before_they_are_pruned(team):
    audit_record(action=AuditAction.ROLE_CHANGED, workspace=team.workspace, target_label="new")
    old = audit_record(action=AuditAction.ROLE_CHANGED, workspace=team.workspace, target_label="old")
    _at(old, timezone.now() - timedelta(days=31))
    Workspace.objects.filter(pk=team.workspace.pk).update(audit_retention_days=30)
    team.workspace.refresh_from_db()

    assert _labels(workspace_audit_events(actor=team.owner, workspace=team.workspace)) == ["new"]


def test_pages_follow_each_other_without_gaps_or_repeats_even_within_one_instant(team):
    now = timezone.now()
    for n in range(7):
        event = audit_record(action=AuditAction.ROLE_CHANGED, workspace=team.workspace, target_label=f"e{n}")
        _at(event, now if n < 4 else now - timedelta(seconds=n))
    events = workspace_audit_events(actor=team.owner, workspace=team.workspace)

    seen: list[str] = []
    position: AuditPosition | None = None
    while True:
        rows, position = audit_page(events, after=position, limit=3)
        seen += _labels(rows)
        if position is None:
            break
    assert seen == _labels(events)
    assert sorted(seen) == [f"e{n}" for n in range(7)]


def test_pages_are_the_same_where_the_database_cannot_limit_each_source(team, monkeypatch):
    """SQLite (the embedded default) takes no LIMIT or ORDER BY inside a UNION: the union alone is sorted."""
    for n in range(5):
        audit_record(action=AuditAction.ROLE_CHANGED, workspace=team.workspace, target_label=f"e{n}")
    audit_record(action=AuditAction.SIGN_IN, actor=team.member, target=team.member, target_label="account")
    events = workspace_audit_events(actor=team.owner, workspace=team.workspace)
    expected = _labels(events)

    monkeypatch.setattr(connection.features, "supports_slicing_ordering_in_compound", False)
    first, position = audit_page(events, after=None, limit=4)
    rest, end = audit_page(events, after=position, limit=4)

    assert _labels(first) + _labels(rest) == expected
    assert end is None
