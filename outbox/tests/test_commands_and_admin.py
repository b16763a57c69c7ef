"""The outbox's surfaces: the relay and check commands for operators, and the read-only admin."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from outbox.models import JobState, OutboxJob

pytestmark = pytest.mark.django_db


def _due_row(name: str = "outbox.ping", args=None) -> OutboxJob:
    now = timezone.now()
    return OutboxJob.objects.create(
        name=name, args=args or [], queue="default", due_at=now, relay_at=now, created_at=now
    )


def test_the_relay_once_hands_over_what_is_due_and_says_how_many(capsys):
    job = _due_row()

    call_command("outbox_relay", "--once")

    assert capsys.readouterr().out.strip() == "Relayed 1 jobs."
    job.refresh_from_db()
    assert job.state == JobState.DONE  # eager in the tests: handed over is run


def test_the_relay_refuses_an_interval_out_of_bounds():
    with pytest.raises(CommandError, match=r"--interval must be between 0\.05 and 60 seconds\."):
        call_command("outbox_relay", "--interval", "0")


@pytest.mark.django_db(transaction=True)  # the ping goes out after its commit, as in production
def test_the_check_sends_a_ping_through_and_reports_the_backlog(capsys):
    _due_row(name="notifications.no_such_job")
    failed = _due_row(name="notifications.no_such_job")
    OutboxJob.objects.filter(pk=failed.pk).update(state=JobState.FAILED)

    call_command("outbox_check", "--timeout", "5")

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Backlog: 1 jobs due, the oldest ")
    assert lines[0].endswith("; 1 failed.")
    assert lines[1].startswith("Ping #")
    assert lines[1].endswith(" ms.")


def test_the_check_refuses_a_timeout_out_of_bounds():
    with pytest.raises(CommandError, match="--timeout must be more than 0"):
        call_command("outbox_check", "--timeout", "0")


def test_the_admin_lists_failed_jobs_with_their_reason_and_retries_them(admin_client):
    failed = _due_row(name="notifications.no_such_job")
    OutboxJob.objects.filter(pk=failed.pk).update(state=JobState.FAILED, error="No job named it is registered.")
    changelist = reverse("admin:outbox_outboxjob_changelist")

    page = admin_client.get(changelist, {"state__exact": JobState.FAILED})
    assert page.status_code == 200
    assert "No job named it is registered." in page.content.decode()

    admin_client.post(changelist, {"action": "retry_failed", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.state == JobState.PENDING


def test_people_who_are_not_staff_cannot_see_the_outbox(client, team):
    client.force_login(team.owner)  # a workspace owner, not an operator

    response = client.get(reverse("admin:outbox_outboxjob_changelist"))

    assert response.status_code == 302
    assert "/login" in response["Location"]
