# A public id for invitations, so lists and revocation can name one without its secret token.
# Existing invitations get their ids in step two.

import functools

from django.db import migrations, models

import slackclone.ids


def give_invitations_public_ids(apps, schema_editor):
    Invitation = apps.get_model("workspaces", "Invitation")
    for invitation in Invitation.objects.filter(public_id__isnull=True).only("pk"):
        invitation.public_id = slackclone.ids.new_public_id(slackclone.ids.INVITATION_PREFIX)
        invitation.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("workspaces", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="public_id",
            field=models.CharField(editable=False, max_length=16, null=True),
        ),
        migrations.RunPython(give_invitations_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="invitation",
            name="public_id",
            field=models.CharField(
                default=functools.partial(slackclone.ids.new_public_id, "I"),
                editable=False,
                max_length=16,
                unique=True,
            ),
        ),
    ]
