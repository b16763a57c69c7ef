"""Ways in from outside: Slack-style incoming webhooks, and the record of what a Slack export import made.

An incoming webhook posts into one channel as its own bot user (created with it), through the
same chat.services.message_post as every other surface. Its URL is /hooks/<T…>/<B…>/<secret>,
Slack's shape; only a hash of the secret is stored, so the URL is shown once, at creation.

ImportedObject maps a Slack id (user, channel, message) to the row an import made of it, so
running the same import again finds what it already made and changes nothing.
"""

from __future__ import annotations

import hashlib
from functools import partial

from django.conf import settings
from django.db import models
from django.utils import timezone

from slackclone.ids import BOT_PREFIX, new_public_id
from workspaces.models import Workspace

WEBHOOK_NAME_MAX_LENGTH = 80


def hash_secret(raw: str) -> str:
    """Secrets are long random strings, so a plain SHA-256 is enough; only this hash is stored."""
    return hashlib.sha256(raw.encode()).hexdigest()


class IncomingWebhook(models.Model):
    public_id = models.CharField(max_length=16, unique=True, editable=False, default=partial(new_public_id, BOT_PREFIX))
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="incoming_webhooks")
    channel = models.ForeignKey("chat.Channel", on_delete=models.CASCADE, related_name="incoming_webhooks")
    # The bot user its messages are posted as; it keeps the messages' author after a revoke.
    bot = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False)
    name = models.CharField(max_length=WEBHOOK_NAME_MAX_LENGTH, help_text="Shown as the author of its messages.")
    secret_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "revoked_at"], name="webhook_workspace_live")]

    def __str__(self) -> str:
        # Not its channel: this shows in admin messages and logs, to people who may not be in a private one.
        return f"{self.name} ({self.public_id})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def url_path(self, secret: str) -> str:
        return f"/hooks/{self.workspace.public_id}/{self.public_id}/{secret}"


class ImportedKind(models.TextChoices):
    USER = "user", "User"
    CHANNEL = "channel", "Channel"
    MESSAGE = "message", "Message"


class ImportedObject(models.Model):
    """A Slack id an import has already turned into one of our rows (`target_id` is its primary key).

    Messages are keyed "<Slack channel id>:<ts>", since a ts is unique only within its channel.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ImportedKind.choices)
    source_id = models.CharField(max_length=80)
    target_id = models.BigIntegerField()
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "kind", "source_id"], name="imported_object_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.source_id} → {self.target_id}"
