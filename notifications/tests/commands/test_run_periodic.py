"""manage.py run_periodic: beat's jobs for a deployment without beat (the embedded default)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from chat.models import Message
from chat.services import message_post
from notifications.management.commands import run_periodic
from notifications.models import MissedMessageEmail
from notifications.services import notify_message_posted, scheduled_message_create
from slackclone.db_unavailable import DatabaseUnavailable

pytestmark = pytest.mark.django_db


def test_one_run_delivers_what_is_due_and_sends_due_emails(team, django_capture_on_commit_callbacks):
    an_hour_ago = timezone.now() - timedelta(hours=1)
    scheduled_message_create(
        actor=team.member,
        channel=team.general,
        text="from the past",
        post_at=an_hour_ago + timedelta(minutes=1),
        now=an_hour_ago,
    )
    mention = message_post(sender=team.admin, channel=team.general, text=f"<@{team.owner.public_id}> ping")
    notify_message_posted(message_id=mention.pk, now=an_hour_ago)
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):  # the test settings run the queued tasks eagerly
        call_command("run_periodic", stdout=out)

    assert Message.objects.filter(text="from the past").count() == 1
    assert [email.to for email in mail.outbox] == [[team.owner.email]]
    assert MissedMessageEmail.objects.get().state == "sent"
    assert "Delivered 1 scheduled messages and 0 reminders; 1 missed-message emails due." in out.getvalue()


class _Stop(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_loop_reports_a_database_outage_and_runs_again_on_a_fresh_connection(monkeypatch):
    runs: list[int] = []

    def run_once(self) -> str:
        runs.append(connection.connection is None)
        if len(runs) == 2:
            raise _Stop
        with transaction.atomic(), connection.cursor() as cursor:  # as a server that was just demoted answers
            cursor.execute("SET TRANSACTION READ ONLY")
            cursor.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now())")
        return "not reached"

    monkeypatch.setattr(run_periodic.Command, "run_once", run_once)
    monkeypatch.setattr(run_periodic.time, "sleep", lambda seconds: None)
    errors = StringIO()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    with pytest.raises(_Stop):
        call_command("run_periodic", "--loop", stdout=StringIO(), stderr=errors)

    assert runs == [False, True]  # the second run had its connection dropped, to connect afresh
    assert "briefly unavailable" in errors.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_single_run_raises_a_database_outage(monkeypatch):
    def run_once(self) -> str:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
            cursor.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now())")
        return "not reached"

    monkeypatch.setattr(run_periodic.Command, "run_once", run_once)
    with pytest.raises(DatabaseUnavailable):
        call_command("run_periodic", stdout=StringIO(), stderr=StringIO())
