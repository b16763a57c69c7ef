"""message_post hands notification work to Celery after commit: never before, never twice for a retry."""

from __future__ import annotations

import pytest

from chat.services import message_post
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_posting_queues_the_notification_task_after_commit(team, django_capture_on_commit_callbacks):
    # The test settings run tasks eagerly, so the queued task runs when the commit callbacks do.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = message_post(sender=team.member, channel=team.general, text=f"<@{team.owner.public_id}> hi")

    assert not Notification.objects.exists()  # nothing happens inside the posting transaction
    for callback in callbacks:
        callback()
    assert list(Notification.objects.values_list("user", "message")) == [(team.owner.pk, message.pk)]


def test_a_retried_post_queues_nothing(team, django_capture_on_commit_callbacks):
    message_post(sender=team.member, channel=team.general, text="<!channel> once", client_msg_id="retry-1")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message_post(sender=team.member, channel=team.general, text="<!channel> once", client_msg_id="retry-1")

    assert callbacks == []
    assert not Notification.objects.exists()
