"""The Celery app. Configured from Django settings (CELERY_*); eager in the embedded default."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slackclone.settings")

app = Celery("slackclone")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
