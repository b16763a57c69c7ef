"""The outbox through its services: a job commits with its change, runs once, and a bad row fails alone."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import psycopg
import pytest
from django.db import connection, transaction
from django.utils import timezone

from chat.services import message_post
from notifications.models import Notification
from outbox.models import JobState, OutboxJob
from outbox.registry import job
from outbox.selectors import outbox_backlog
from outbox.services import job_enqueue, job_retry, job_run, jobs_prune, jobs_relay_due, jobs_run
from slackclone.logs import REQUEST_ID

pytestmark = pytest.mark.django_db


def _mention(team, text: str = "look"):
    return message_post(sender=team.member, channel=team.general, text=f"<@{team.owner.public_id}> {text}")


def test_a_job_is_written_with_its_change_and_runs_only_after_the_commit(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = _mention(team)

    job = OutboxJob.objects.get(name="notifications.notify_message")
    assert (job.args, job.state) == ([message.pk], JobState.PENDING)
    assert not Notification.objects.exists()
    for callback in callbacks:
        callback()  # the fast path: Celery runs eagerly in the tests
    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert job.done_at is not None
    assert list(Notification.objects.values_list("user", "message")) == [(team.owner.pk, message.pk)]


def _post_then_fail(team) -> None:
    with transaction.atomic():
        _mention(team)
        raise RuntimeError("the change fails after the job was written")


def test_a_change_that_rolls_back_leaves_no_job(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        _post_then_fail(team)

    assert not OutboxJob.objects.exists()
    assert not Notification.objects.exists()


def test_a_job_whose_fast_path_was_lost_is_relayed_once_due_and_runs_once(team, django_capture_on_commit_callbacks):
    message = _mention(team)  # callbacks not run: as if the broker were down at the commit
    job = OutboxJob.objects.get(name="notifications.notify_message")
    now = timezone.now()

    assert jobs_relay_due(now=now) == 0  # the fast path has its grace first
    assert jobs_relay_due(now=job.relay_at) == 1  # eager: the relay's sending runs it

    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.DONE, 1)
    assert Notification.objects.filter(message=message).count() == 1
    assert jobs_relay_due(now=job.relay_at + timedelta(hours=2)) == 0  # done: never sent again


def test_a_job_delivered_twice_runs_once(team):
    message = _mention(team)
    job = OutboxJob.objects.get(name="notifications.notify_message")

    assert job_run(job_id=job.pk) == "done"
    assert job_run(job_id=job.pk) == "skipped"
    assert Notification.objects.filter(message=message).count() == 1


def test_a_network_job_claimed_by_a_worker_is_skipped_by_another_until_its_lease_runs_out(team):
    with transaction.atomic():
        job = job_enqueue("accounts.send_account_email", "exists", team.member.pk)
    now = timezone.now()
    OutboxJob.objects.filter(pk=job.pk).update(claimed_until=now + timedelta(seconds=60))

    assert job_run(job_id=job.pk, now=now) == "skipped"
    assert job_run(job_id=job.pk, now=now + timedelta(seconds=61)) == "done"


def test_a_job_another_worker_holds_locked_is_skipped(team):
    _mention(team)
    job = OutboxJob.objects.get(name="notifications.notify_message")
    with ThreadPoolExecutor(1) as other_worker, transaction.atomic():
        OutboxJob.objects.select_for_update().get(pk=job.pk)  # as a worker running it holds it
        outcome = other_worker.submit(_run_in_another_connection, job.pk).result()
    assert outcome == "skipped"


def _run_in_another_connection(job_id: int) -> str:
    from django.db import connection

    try:
        return job_run(job_id=job_id)
    finally:
        connection.close()


def test_an_unfinished_job_is_sent_again_after_its_lease_with_a_longer_lease_each_time(team):
    with transaction.atomic():
        job = job_enqueue("accounts.send_account_email", "exists", team.member.pk)
    OutboxJob.objects.filter(pk=job.pk).update(claimed_until=timezone.now() + timedelta(days=1))  # a stuck worker

    first = job.relay_at
    assert jobs_relay_due(now=first) == 1
    job.refresh_from_db()
    second = job.relay_at
    assert (job.state, job.attempts, second - first) == (JobState.SENT, 1, timedelta(seconds=60))
    assert jobs_relay_due(now=second - timedelta(seconds=1)) == 0
    assert jobs_relay_due(now=second) == 1
    job.refresh_from_db()
    assert (job.attempts, job.relay_at - second) == (2, timedelta(seconds=120))


def test_a_job_sent_too_often_without_finishing_is_marked_failed(team, settings):
    _mention(team)
    job = OutboxJob.objects.get(name="notifications.notify_message")
    OutboxJob.objects.filter(pk=job.pk).update(attempts=settings.OUTBOX_MAX_ATTEMPTS)

    assert jobs_relay_due(now=job.relay_at) == 0
    job.refresh_from_db()
    assert (job.state, job.error) == (JobState.FAILED, f"Not done after {settings.OUTBOX_MAX_ATTEMPTS} sendings.")


def _row(name: str, args, kwargs=None) -> OutboxJob:
    now = timezone.now()
    return OutboxJob.objects.create(
        name=name, args=args, kwargs=kwargs or {}, queue="notifications", due_at=now, relay_at=now, created_at=now
    )


def test_malformed_rows_are_marked_failed_with_the_reason_and_the_others_still_run(team):
    unknown = _row("notifications.no_such_job", [1])
    wrong_arguments = _row("notifications.notify_message", [1, 2, 3])
    not_a_list = _row("notifications.notify_message", {"message_id": 1})
    message = _mention(team)
    good = OutboxJob.objects.get(name="notifications.notify_message", args=[message.pk])

    outcomes = [job_run(job_id=job.pk) for job in (unknown, wrong_arguments, not_a_list, good)]

    assert outcomes == ["failed", "failed", "failed", "done"]
    errors = dict(OutboxJob.objects.filter(state=JobState.FAILED).values_list("pk", "error"))
    assert errors[unknown.pk] == "No job named 'notifications.no_such_job' is registered."
    assert errors[wrong_arguments.pk].startswith("Arguments not taken by notifications.notify_message: too many")
    assert errors[not_a_list.pk].endswith("args must be a JSON list and kwargs a JSON object")
    assert Notification.objects.filter(message=message).count() == 1


def test_a_handler_that_raises_marks_its_job_failed_with_the_error(team):
    message = _mention(team)
    job = _row("notifications.notify_mentioned_by_edit", [message.pk, [[team.owner.pk]]])

    assert job_run(job_id=job.pk) == "failed"

    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error == "TypeError: unhashable type: 'list'"


def test_code_that_names_an_unknown_job_or_wrong_arguments_writes_nothing(team):
    with pytest.raises(ValueError, match="No outbox job named 'nope' is registered"):
        job_enqueue("nope", 1)
    with pytest.raises(TypeError):
        job_enqueue("notifications.notify_message", 1, 2, 3)
    assert not OutboxJob.objects.exists()


def test_a_failed_job_retried_by_an_operator_runs_again(team):
    message = _mention(team)
    job = OutboxJob.objects.get(name="notifications.notify_message")
    OutboxJob.objects.filter(pk=job.pk).update(state=JobState.FAILED, error="the database was restored")

    assert job_retry(job_id=job.pk) is True
    assert job_retry(job_id=job.pk) is False  # pending now, not failed
    assert job_run(job_id=job.pk) == "done"
    assert Notification.objects.filter(message=message).count() == 1


def test_the_backlog_counts_open_jobs_due_now_and_the_age_of_the_oldest(team):
    now = timezone.now()
    assert outbox_backlog(now=now) == (0, 0.0)
    _mention(team, "one")
    _mention(team, "two")
    job_enqueue("notifications.notify_message", 1, due_at=now + timedelta(hours=1))  # not owed yet
    oldest = OutboxJob.objects.order_by("due_at").first()

    count, age = outbox_backlog(now=oldest.due_at + timedelta(seconds=30))

    assert (count, round(age)) == (2, 30)


def test_done_jobs_are_pruned_after_a_day_and_failed_ones_kept(team, settings):
    _mention(team)
    job = OutboxJob.objects.get()
    job_run(job_id=job.pk)
    failed = _row("notifications.no_such_job", [])
    job_run(job_id=failed.pk)
    done_at = OutboxJob.objects.get(pk=job.pk).done_at

    assert jobs_prune(now=done_at + timedelta(hours=settings.OUTBOX_KEEP_DONE_HOURS - 1)) == 0
    assert jobs_prune(now=done_at + timedelta(hours=settings.OUTBOX_KEEP_DONE_HOURS, seconds=1)) == 1
    assert list(OutboxJob.objects.values_list("pk", flat=True)) == [failed.pk]


SEEN_REQUEST_IDS: list[str | None] = []


@job("tests.note_request_id", queue="default")
def _note_request_id() -> None:
    SEEN_REQUEST_IDS.append(REQUEST_ID.get())


def test_a_job_runs_under_the_id_of_the_request_that_caused_it_whoever_hands_it_over(team):
    token = REQUEST_ID.set("req-0123456789")
    try:
        with transaction.atomic():
            queued = job_enqueue("tests.note_request_id")
    finally:
        REQUEST_ID.reset(token)
    SEEN_REQUEST_IDS.clear()

    assert jobs_relay_due(now=queued.relay_at) == 1  # the relay, in no request of its own

    assert SEEN_REQUEST_IDS == ["req-0123456789"]
    assert REQUEST_ID.get() is None  # and the worker's own context is left as it was


STALE_PROBE: dict[str, str] = {}


@job("tests.read_probe", queue="default", atomic=False)  # no rollback, which would forget it anyway
def _read_probe() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, label FROM {STALE_PROBE['table']} WHERE id = %s", [1])


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _migrate_elsewhere(statement: str) -> None:
    """As a migration does, from another process's connection (psycopg forgets its own connection's prepared
    statements when that connection alters a table)."""
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]) as other:
        other.execute(statement)


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_prepared_statement_a_migration_made_stale_is_retried_on_a_new_connection_and_runs():
    table = STALE_PROBE["table"] = f"probe_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, label varchar(10))")
    try:
        for _ in range(6):  # the handler's statement is prepared on this connection after five runs
            _read_probe()
        _migrate_elsewhere(f"ALTER TABLE {table} ALTER COLUMN label TYPE varchar(20)")
        queued = _row("tests.read_probe", [])
        backend = _backend_pid()

        assert jobs_run(job_ids=[queued.pk]) == {"done": [], "skipped": [], "failed": [], "retry": [queued.pk]}
        assert jobs_run(job_ids=[queued.pk]) == {"done": [queued.pk], "skipped": [], "failed": [], "retry": []}
        assert _backend_pid() != backend  # the connection the statement went stale on was dropped
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {table}")
