# Notification preferences on the user, and a public id for API tokens (so they can be listed
# and revoked without exposing database keys). Existing tokens get their ids in step two.

import functools

from django.db import migrations, models

import slackclone.ids


def give_tokens_public_ids(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.filter(public_id__isnull=True).only("pk"):
        token.public_id = slackclone.ids.new_public_id(slackclone.ids.API_TOKEN_PREFIX)
        token.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="public_id",
            field=models.CharField(editable=False, max_length=16, null=True),
        ),
        migrations.RunPython(give_tokens_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="public_id",
            field=models.CharField(
                default=functools.partial(slackclone.ids.new_public_id, "K"),
                editable=False,
                max_length=16,
                unique=True,
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="dnd_end",
            field=models.TimeField(blank=True, help_text="Do not disturb until (local time).", null=True),
        ),
        migrations.AddField(
            model_name="user",
            name="dnd_start",
            field=models.TimeField(blank=True, help_text="Do not disturb from (local time).", null=True),
        ),
        migrations.AddField(
            model_name="user",
            name="email_notifications",
            field=models.BooleanField(
                default=True, help_text="Email mentions and direct messages that arrive while the user is away."
            ),
        ),
    ]
