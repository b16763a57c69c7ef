# When the owner of an account's address proved it. Accounts that existed before the rule keep the
# trust they had: active people with a password count as verified (an operator can clear it in the
# Django admin); bots and imported placeholders do not.

from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Coalesce


def verify_existing_people(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    people = User.objects.filter(is_active=True, is_bot=False).exclude(password__startswith="!")
    people.update(email_verified_at=Coalesce(F("last_login"), F("date_joined")))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_user_last_workspace'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='email_verified_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(verify_existing_people, migrations.RunPython.noop),
    ]
