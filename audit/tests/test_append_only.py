"""Audit events are never changed: the model refuses, and on PostgreSQL the database refuses any UPDATE too, but
lets a deleted account's events lose their link to it, and lets retention and a deleted workspace delete them."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditAction, AuditEvent
from audit.services import audit_record
from slackclone.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")


def _event(actor=None, workspace=None) -> AuditEvent:
    return audit_record(action=AuditAction.SIGN_IN, actor=actor, workspace=workspace, data={"method": "password"})


def test_saving_a_recorded_event_again_is_refused():
    event = _event()
    event.actor_label = "someone else"
    with pytest.raises(ValueError, match="append-only"):
        event.save()


@on_postgresql
@pytest.mark.parametrize(
    "change",
    [{"action": AuditAction.SIGN_OUT}, {"actor_label": "forged@example.com"}, {"data": {}}, {"ip_address": "10.0.0.1"}],
)
def test_the_database_refuses_an_update_that_bypasses_the_model(change):
    event = _event(actor=UserFactory())
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(**change)
    event.refresh_from_db()
    assert event.action == AuditAction.SIGN_IN
    assert event.data == {"method": "password"}


@on_postgresql
def test_the_database_refuses_raw_sql_too():
    event = _event()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET created_at = created_at - interval '1 day' WHERE id = %s", [event.pk]
        )


@on_postgresql
def test_clearing_the_actor_together_with_another_column_is_refused():
    event = _event(actor=UserFactory())
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor=None, actor_label="")


def test_deleting_an_account_keeps_its_events_under_the_address_it_had(team):
    person = UserFactory()
    event = _event(actor=person)
    person.delete()

    event.refresh_from_db()
    assert (event.actor, event.actor_label) == (None, person.email)


def test_events_can_be_deleted_and_go_with_their_workspace(team):
    kept, pruned = _event(workspace=team.workspace), _event(workspace=team.workspace)
    AuditEvent.objects.filter(pk=pruned.pk).delete()
    assert list(AuditEvent.objects.filter(workspace=team.workspace)) == [kept]

    team.workspace.delete()
    assert not AuditEvent.objects.filter(pk=kept.pk).exists()
