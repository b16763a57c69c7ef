"""One outbox row per change (AppEvent), and per app only what dispatch writes (EventDelivery without its body).

Deliveries written before keep their event: each becomes the delivery of an AppEvent made from its
envelope, already dispatched.
"""

import json

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def events_from_bodies(apps, schema_editor):
    EventDelivery = apps.get_model("slack_apps", "EventDelivery")
    AppEvent = apps.get_model("slack_apps", "AppEvent")
    for delivery in EventDelivery.objects.select_related("app").iterator():
        envelope = json.loads(delivery.body)
        event = envelope["event"]
        made = AppEvent.objects.create(
            workspace_id=delivery.app.workspace_id,
            subscription=delivery.event_type,
            event_type=event.get("type", delivery.event_type),
            channel_id=delivery.channel_id,
            event=json.dumps(event, separators=(",", ":"), ensure_ascii=False),
            event_time=envelope["event_time"],
            created_at=delivery.created_at,
            dispatched_at=delivery.created_at,
        )
        EventDelivery.objects.filter(pk=delivery.pk).update(app_event=made)


class Migration(migrations.Migration):
    dependencies = [
        ("slack_apps", "0002_command_response_urls"),
        ("workspaces", "0004_has_event_subscribers"),
    ]

    operations = [
        migrations.CreateModel(
            name="AppEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "subscription",
                    models.CharField(help_text="The event name apps subscribe to: message.channels, ...", max_length=40),
                ),
                ("event_type", models.CharField(max_length=40)),
                (
                    "channel_id",
                    models.CharField(blank=True, help_text="The channel it is about (public id).", max_length=16),
                ),
                ("channel_pk", models.BigIntegerField(blank=True, null=True)),
                (
                    "in_channel",
                    models.BooleanField(default=True, help_text="Only apps whose bot is in the channel hear of it."),
                ),
                (
                    "audience",
                    models.JSONField(blank=True, default=list, help_text="If not empty: only these bots (user pks)."),
                ),
                ("event", models.TextField(help_text="The inner event's JSON, in Slack's shape.")),
                ("event_time", models.BigIntegerField()),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("dispatched_at", models.DateTimeField(blank=True, null=True)),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="workspaces.workspace"
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        condition=models.Q(("dispatched_at", None)),
                        fields=["created_at"],
                        name="app_event_undispatched",
                    ),
                    models.Index(fields=["dispatched_at"], name="app_event_dispatched"),
                ],
            },
        ),
        migrations.AddField(
            model_name="eventdelivery",
            name="app_event",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deliveries",
                to="slack_apps.appevent",
            ),
        ),
        migrations.RunPython(events_from_bodies, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="eventdelivery",
            name="app_event",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="deliveries", to="slack_apps.appevent"
            ),
        ),
        migrations.RemoveField(model_name="eventdelivery", name="body"),
        migrations.RemoveField(model_name="eventdelivery", name="event_type"),
        migrations.RemoveField(model_name="eventdelivery", name="channel_id"),
    ]
