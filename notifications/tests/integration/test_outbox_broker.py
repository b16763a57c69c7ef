"""The outbox against a real broker that goes down, comes back empty, or is flushed: no job is lost or doubled.

The broker is a redis-server of the test's own, which this process and its worker use; the test stops
it by its pid and starts it again on the same port, empty, as a replaced broker would be.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from chat.services import message_post
from notifications.models import Notification
from notifications.tests.integration.workers import Worker, wait_for
from outbox.models import JobState, OutboxJob
from outbox.services import jobs_relay_due
from outbox.tasks import run_jobs
from slackclone.celery import app
from slackclone.testing.processes import OwnRedis

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _use_broker(url: str) -> None:
    """Point this process's Celery at `url`, dropping the connections it pooled for the previous one."""
    app.conf.broker_url = url
    app._after_fork()  # the same reset Celery does in a forked child: new pools on next use


@pytest.fixture
def own_broker() -> Iterator[OwnRedis]:
    broker = OwnRedis().start()
    previous = app.conf.broker_url
    _use_broker(broker.url)
    app.conf.task_always_eager = False
    yield broker
    app.conf.task_always_eager = True
    _use_broker(previous)
    broker.stop()


def _mention(team, text: str):
    return message_post(sender=team.member, channel=team.general, text=f"<@{team.owner.public_id}> {text}")


def _job_of(message) -> OutboxJob:
    return OutboxJob.objects.get(name="notifications.notify_message", args=[message.pk])


def test_a_job_committed_while_the_broker_is_down_or_lost_with_it_runs_exactly_once(team, own_broker, tmp_path):
    worker = Worker("outbox", "notifications", tmp_path, CELERY_BROKER_URL=own_broker.url).wait_ready()
    try:
        own_broker.stop()
        during_outage = _mention(team, "posted while the broker is down")
        assert _job_of(during_outage).state == JobState.PENDING  # stored with its message, not yet run

        own_broker.start()  # back on its port, empty
        worker.stop()
        flushed = _mention(team, "handed over, then the broker is flushed")
        redis.Redis.from_url(own_broker.url).flushall()
        worker = Worker("outbox-2", "notifications", tmp_path, CELERY_BROKER_URL=own_broker.url).wait_ready()
        assert not Notification.objects.exists()

        due = max(_job_of(during_outage).relay_at, _job_of(flushed).relay_at)
        assert jobs_relay_due(now=due) == 2
        for message in (during_outage, flushed):
            wait_for(lambda m=message: _job_of(m).state == JobState.DONE, 30, f"the job of {message.text!r}")

        run_jobs.apply_async(([_job_of(flushed).pk],), queue="notifications")  # a stray copy, as a redelivery brings
        wait_for(lambda: "'skipped': 1" in worker.log(), 20, "the copy to be taken and skipped")
        people = list(Notification.objects.order_by("message_id").values_list("user_id", "message_id"))
        assert people == [(team.owner.pk, during_outage.pk), (team.owner.pk, flushed.pk)]
    finally:
        worker.stop()
