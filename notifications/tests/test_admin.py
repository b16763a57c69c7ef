"""The admin shows the jobs' rows read-only, cheaply, and cancels scheduled messages and reminders through services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from chat.services import message_post
from chat.tests.admin.support import admin_url
from notifications.models import DeliveryState, Reminder, ScheduledMessage
from notifications.services import (
    missed_emails_claim_due,
    notify_message_posted,
    reminder_create,
    retention_apply,
    scheduled_message_create,
)
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

MODELS = [
    "notifications.Notification",
    "notifications.MissedMessageEmail",
    "notifications.ScheduledMessage",
    "notifications.Reminder",
    "notifications.RetentionRun",
]


@pytest.fixture
def rows(team):
    """Two rows of every model the app's admin shows, made by the services."""
    now = timezone.now()
    for n in range(2):
        message = message_post(sender=team.member, channel=team.general, text=f"<!channel> {n}")
        notify_message_posted(message_id=message.pk, now=now - timedelta(hours=1))
        scheduled_message_create(
            actor=team.member, channel=team.general, text=f"later {n}", post_at=now + timedelta(hours=1)
        )
        reminder_create(actor=team.member, workspace=team.workspace, text=f"remember {n}", when="in 1 hour")
        Workspace.objects.filter(pk=team.workspace.pk).update(retention_days=365)
        team.workspace.refresh_from_db()
        retention_apply(workspace=team.workspace)
    missed_emails_claim_due()
    return team


@pytest.mark.parametrize("label", MODELS)
def test_pages_render_read_only_and_changelists_cost_a_bounded_number_of_queries(
    label, rows, admin_client, django_assert_max_num_queries
):
    model = apps.get_model(label)
    assert model.objects.count() >= 2

    with django_assert_max_num_queries(6):
        changelist = admin_client.get(admin_url(label, "changelist"))
    change = admin_client.get(admin_url(label, "change", model.objects.order_by("pk").last().pk))

    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == model.objects.count()
    assert change.status_code == 200
    assert admin_client.get(admin_url(label, "add")).status_code == 403


def test_cancel_actions_go_through_the_services(rows, admin_client):
    for label, model in (("notifications.ScheduledMessage", ScheduledMessage), ("notifications.Reminder", Reminder)):
        first = model.objects.order_by("pk").first()
        admin_client.post(
            admin_url(label, "changelist"), {"action": "cancel", "_selected_action": [first.pk]}, follow=True
        )
        assert list(model.objects.order_by("pk").values_list("state", flat=True)) == [
            DeliveryState.CANCELLED,
            DeliveryState.PENDING,
        ]
