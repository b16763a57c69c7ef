"""Celery for real: tasks on the Redis broker, run by worker processes, against the test database.

These tests commit (transaction=True) so the workers see the rows, and turn eager mode off so
`.delay()` publishes to the broker like the real stack does.
"""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from chat.models import Message
from chat.services import message_post
from notifications import tasks
from notifications.models import DeliveryState, MissedMessageEmail, Notification, Reminder, ScheduledMessage
from notifications.services import reminder_create, scheduled_message_create
from notifications.tests.integration.workers import Worker, database_url, purge_broker, wait_for
from realtime import transport
from slackclone.celery import app

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def broker():
    """Tasks go through the real Redis broker (the test settings run them eagerly otherwise)."""
    purge_broker()
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True
    purge_broker()


@pytest.fixture
def workers(tmp_path):
    started: list[Worker] = []

    def start(name: str, queues: str = "notifications,email,maintenance,default", **variables: str) -> Worker:
        worker = Worker(name, queues, tmp_path, **variables)
        started.append(worker)
        return worker.wait_ready()

    yield start
    for worker in started:
        worker.stop()


def email_files(directory: Path) -> list[str]:
    return [path.read_text() for path in sorted(directory.glob("*.log"))] if directory.exists() else []


def test_a_posted_message_is_notified_by_a_worker_and_emailed_to_those_away(
    team, broker, workers, online, layer_listener, tmp_path
):
    mail_dir = tmp_path / "mail"
    workers(
        "all",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        NOTIFY_EMAIL_DELAY_SECONDS="1",
    )
    online(team.owner)
    listener = layer_listener(transport.user_group(team.owner))

    message = message_post(sender=team.member, channel=team.general, text="<!channel> deploy at 3")

    wait_for(lambda: Notification.objects.filter(message=message).count() == 3, 20, "the notifications")
    event = listener.receive_event(timeout=10)
    assert (event["type"], event["reason"], event["ts"]) == ("notification", "broadcast", message.ts)
    # The two people away get one email each, after the delay; the owner, online, gets none.
    wait_for(lambda: len(email_files(mail_dir)) == 2, 30, "two missed-message emails")
    sent = email_files(mail_dir)
    assert all("@channel deploy at 3" in body for body in sent)
    recipients = {line.removeprefix("To: ") for body in sent for line in body.splitlines() if line.startswith("To: ")}
    assert recipients == {team.admin.email, team.other_member.email}
    # The worker marks a row sent just after its email is written: wait for the mark, don't race it.
    wait_for(
        lambda: set(MissedMessageEmail.objects.values_list("state", flat=True)) == {"sent"}, 10, "both marked sent"
    )


def _worker_backends(application_name: str) -> list[int]:
    """The PostgreSQL backends a worker holds open, found by the application_name it was started with."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [application_name])
        return [row[0] for row in cursor.fetchall()]


def test_a_worker_keeps_its_database_connection_from_task_to_task_and_replaces_a_dead_one(team, broker, workers):
    name = f"worker-{uuid.uuid4().hex[:12]}"
    worker = workers("keeper", "notifications", DATABASE_APPLICATION_NAME=name)

    def post_and_wait(text: str) -> None:
        message = message_post(sender=team.member, channel=team.general, text=f"<!channel> {text}")
        wait_for(lambda: Notification.objects.filter(message=message).count() == 3, 20, f"notifications of {text}")

    post_and_wait("first")
    wait_for(lambda: len(_worker_backends(name)) == 1, 10, "the worker's connection to stay open")
    kept = _worker_backends(name)
    for number in range(5):
        post_and_wait(f"then {number}")
    assert _worker_backends(name) == kept  # one backend served every task

    with connection.cursor() as cursor:  # the database drops it between tasks (a restart, a failover)
        cursor.execute("SELECT pg_terminate_backend(%s)", kept)
    post_and_wait("after the drop")
    assert "retry" not in worker.log().lower()  # checked before use and replaced: the task never failed
    assert _worker_backends(name) not in ([], kept)


def test_a_message_no_rule_can_notify_anyone_of_queues_no_task(team, broker, workers):
    worker = workers("watcher", "notifications")

    message_post(sender=team.member, channel=team.general, text="nobody asked to hear of this")
    mentioned = message_post(sender=team.member, channel=team.general, text=f"<@{team.owner.public_id}> but this")

    wait_for(lambda: Notification.objects.filter(message=mentioned).exists(), 20, "the mention's notification")
    wait_for(lambda: " succeeded in " in worker.log(), 10, "the task to finish")
    received = [line for line in worker.log().splitlines() if "run_jobs[" in line and line.endswith("received")]
    assert len(received) == 1
    assert "notifications.notify_message" in worker.log()


def _task_id(log: str) -> str:
    """The id of the first outbox task a worker's log shows it received."""
    line = next(line for line in log.splitlines() if "Task outbox.tasks.run_jobs[" in line)
    return line.split("run_jobs[", 1)[1].split("]", 1)[0]


def _waiting_on_notification_table() -> list[int]:
    """Backends waiting for a lock on the notification table (the worker's insert, blocked by the test)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = 'notifications_notification' AND NOT l.granted"
        )
        return [row[0] for row in cursor.fetchall()]


def test_a_worker_killed_mid_task_has_its_task_completed_exactly_once_by_another(
    team, broker, workers, online, layer_listener
):
    fast_redelivery = {"CELERY_VISIBILITY_TIMEOUT": "2"}
    online(team.owner)
    listener = layer_listener(transport.user_group(team.owner))
    first = workers("doomed", "notifications", **fast_redelivery)

    # Hold the notification table so the worker's task stops half-way, inside its transaction.
    blocker = psycopg.connect(database_url())
    blocker.execute("LOCK TABLE notifications_notification IN SHARE MODE")
    try:
        message = message_post(sender=team.member, channel=team.general, text="<!channel> incident")
        wait_for(lambda: _waiting_on_notification_table(), 20, "the worker to be mid-task")
        waiting = _waiting_on_notification_table()
        assert "Task outbox.tasks.run_jobs" in first.log()
        first.kill()
        with connection.cursor() as cursor:  # what the server does, sooner or later, for a dead client
            for pid in waiting:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        blocker.rollback()
        blocker.close()
    assert not Notification.objects.filter(message=message).exists()  # the dead worker's work rolled back

    second = workers("survivor", "notifications", **fast_redelivery)

    wait_for(lambda: Notification.objects.filter(message=message).count() == 3, 30, "the redelivered task")
    wait_for(lambda: "succeeded" in second.log(), 10, "the task to finish")
    assert listener.receive_event(timeout=10)["ts"] == message.ts
    assert listener.drain(quiet=3.0) == []  # one alert, though the task started twice
    assert Notification.objects.filter(message=message).count() == 3
    assert MissedMessageEmail.objects.filter(user__in=[team.admin, team.other_member]).count() == 2
    assert f"outbox.tasks.run_jobs[{_task_id(first.log())}] succeeded" in second.log()


def test_scheduled_messages_and_reminders_are_delivered_once_by_two_workers_despite_duplicate_tasks(
    team, broker, workers
):
    started = [workers(name, "notifications") for name in ("one", "two")]
    now = timezone.now()
    due = now + timedelta(seconds=3)
    scheduled = [
        scheduled_message_create(actor=team.member, channel=team.general, text=f"later {n}", post_at=due, now=now)
        for n in range(12)
    ]
    reminders = [
        reminder_create(actor=team.owner, workspace=team.workspace, text=f"remember {n}", remind_at=due, now=now)
        for n in range(4)
    ]
    # Each already has an eta task; add what beat restarting and racing sweeps would add.
    for row in scheduled:
        tasks.deliver_scheduled_message.apply_async((row.pk,), eta=due)
    for row in reminders:
        tasks.deliver_reminder.apply_async((row.pk,), eta=due)
    sweeps = [threading.Timer(3.2, tasks.deliver_due.delay) for _ in range(3)]
    for timer in sweeps:
        timer.start()

    wait_for(
        lambda: (
            ScheduledMessage.objects.filter(state=DeliveryState.SENT).count() == 12
            and Reminder.objects.filter(state=DeliveryState.SENT).count() == 4
        ),
        40,
        "every delivery",
    )
    for timer in sweeps:
        timer.join()
    # Every duplicate ran too (and found nothing to do): 16 eta tasks from creation, 16 more, 3 sweeps.
    wait_for(lambda: sum(w.log().count(" succeeded in ") for w in started) >= 35, 20, "every duplicate task")

    posted = Message.objects.filter(client_msg_id__startswith="scheduled-")
    assert sorted(posted.values_list("text", flat=True)) == sorted(f"later {n}" for n in range(12))
    assert Message.objects.filter(client_msg_id__startswith="reminder-").count() == 4
    for row in ScheduledMessage.objects.all():
        assert row.post_at <= row.sent_at < row.post_at + timedelta(seconds=10)
