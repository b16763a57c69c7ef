"""What the notification jobs write: the inbox, email batches, scheduled messages, reminders, retention runs.

Every row here is written by notifications.services, mostly from Celery tasks, and each kind
is keyed so that a task which runs twice writes nothing twice: a notification is unique per
(message, user), an open email batch per (user, workspace), and scheduled messages and
reminders move through a small state machine (pending -> sent / cancelled / failed) that
only one worker can advance.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from chat.models import Channel, Message
from slackclone.ids import PUSH_SUBSCRIPTION_PREFIX, REMINDER_PREFIX, SCHEDULED_MESSAGE_PREFIX, new_public_id
from workspaces.models import Workspace


class NotificationReason(models.TextChoices):
    """Why someone was notified, strongest first: a message that is several of these gets the first."""

    MENTION = "mention", "Mentioned you"
    DM = "dm", "Direct message"
    BROADCAST = "broadcast", "@channel, @everyone or @here"
    THREAD = "thread", "Reply in a thread you are in"
    CHANNEL = "channel", "New message in a channel you follow closely"


# What a missed-message email reports: everything personal. A channel set to "every message"
# shows those in the inbox and as alerts, but does not fill people's mailboxes.
EMAIL_REASONS = frozenset(
    {NotificationReason.MENTION, NotificationReason.DM, NotificationReason.BROADCAST, NotificationReason.THREAD}
)


class EmailState(models.TextChoices):
    PENDING = "pending", "Waiting for its send time"
    QUEUED = "queued", "Handed to the email queue"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Nothing left unread; not sent"


class MissedMessageEmail(models.Model):
    """One missed-message email: opened by the first unread notification, sent `due_at` if still unread.

    At most one pending batch per person and workspace (a partial unique index): later
    notifications join it, and the email summarises every notification still unread and not
    yet emailed when it goes out. A notification points at the email that included it, so no
    message is emailed twice.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=EmailState.choices, default=EmailState.PENDING)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "workspace"], condition=Q(state="pending"), name="missed_email_one_pending"
            )
        ]
        indexes = [models.Index(fields=["due_at"], condition=Q(state="pending"), name="missed_email_due")]

    def __str__(self) -> str:
        return f"Missed-message email to {self.user_id} ({self.state}, due {self.due_at:%Y-%m-%d %H:%M})"


class Notification(models.Model):
    """One person told about one message: the inbox row, unread until they read it.

    Read means either marked read here, or the channel read past the message (the member's
    last_read_seq reaching `seq`): selectors.py applies both, so reading a channel clears its
    notifications without touching these rows.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="notifications")
    seq = models.BigIntegerField(help_text="The message's seq in its channel, copied for the read check.")
    reason = models.CharField(max_length=10, choices=NotificationReason.choices)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True, help_text="When the real-time event went out.")
    email_wanted = models.BooleanField(
        default=False, help_text="The person was away with email on: email it if it stays unread."
    )
    email = models.ForeignKey(
        MissedMessageEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )

    # Not a column: set on each row selectors.notification_inbox returns.
    is_unread: bool

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="notification_once_per_message")]
        indexes = [
            models.Index(fields=["user", "workspace", "-created_at", "-id"], name="notification_inbox"),
            models.Index(
                fields=["user", "workspace"],
                condition=Q(email_wanted=True, email__isnull=True, read_at__isnull=True),
                name="notification_email_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: message {self.message_id} for {self.user_id}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"


class ScheduledMessage(models.Model):
    """A message its author asked to post later ("send later"); posted once, at `post_at`, by message_post."""

    public_id = models.CharField(
        max_length=16, unique=True, editable=False, default=partial(new_public_id, SCHEDULED_MESSAGE_PREFIX)
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scheduled_messages")
    text = models.TextField()
    thread_ts = models.CharField(max_length=24, blank=True)
    reply_broadcast = models.BooleanField(default=False)
    post_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    error_code = models.CharField(max_length=64, blank=True, help_text="Why posting failed, when it did.")

    class Meta:
        indexes = [
            models.Index(fields=["post_at"], condition=Q(state="pending"), name="scheduled_message_due"),
            models.Index(fields=["author", "workspace", "post_at"], name="scheduled_message_by_author"),
        ]

    def __str__(self) -> str:
        return f"Scheduled {self.public_id} in {self.channel} at {self.post_at:%Y-%m-%d %H:%M} ({self.state})"

    @property
    def client_msg_id(self) -> str:
        """The message's client_msg_id: a second delivery attempt returns the first message."""
        return f"scheduled-{self.public_id}"


class Reminder(models.Model):
    """ "Remind me about this message in 20 minutes": Slackbot DMs the person at `remind_at`."""

    public_id = models.CharField(
        max_length=16, unique=True, editable=False, default=partial(new_public_id, REMINDER_PREFIX)
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    text = models.CharField(max_length=1000, blank=True)
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="What it is about."
    )
    remind_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    error_code = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["remind_at"], condition=Q(state="pending"), name="reminder_due"),
            models.Index(fields=["user", "workspace", "remind_at"], name="reminder_by_user"),
        ]

    def __str__(self) -> str:
        return f"Reminder {self.public_id} for {self.user_id} at {self.remind_at:%Y-%m-%d %H:%M} ({self.state})"

    @property
    def client_msg_id(self) -> str:
        return f"reminder-{self.public_id}"


class RetentionRun(models.Model):
    """The audit log of retention: one row per workspace per run, with what it removed.

    Kept beside the workspace's public id and name so the record reads the same after the
    workspace itself is gone.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.SET_NULL, null=True, related_name="+")
    workspace_public_id = models.CharField(max_length=16)
    workspace_name = models.CharField(max_length=80)
    retention_days = models.PositiveIntegerField()
    keeps_pins = models.BooleanField()
    cutoff = models.DateTimeField(help_text="Messages created before this were due for deletion.")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    batches = models.PositiveIntegerField(default=0)
    messages_deleted = models.PositiveIntegerField(default=0)
    files_deleted = models.PositiveIntegerField(default=0)
    pinned_kept = models.PositiveIntegerField(default=0, help_text="Old pinned messages kept, as the workspace asks.")
    threads_kept = models.PositiveIntegerField(
        default=0, help_text="Old thread roots kept because their thread has newer (or pinned) replies."
    )

    class Meta:
        indexes = [models.Index(fields=["workspace", "-started_at"], name="retention_run_recent")]

    def __str__(self) -> str:
        return (
            f"Retention of {self.workspace_name} at {self.started_at:%Y-%m-%d %H:%M}: {self.messages_deleted} deleted"
        )


class SavedItem(models.Model):
    """A message someone saved for later (Slack's "Save for later"; stars.* in its Web API): kept in their
    list until they mark it done or remove it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_items")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "message"], name="saved_item_once_per_person")]
        indexes = [models.Index(fields=["user", "workspace", "saved_at"], name="saved_item_by_user")]

    def __str__(self) -> str:
        return f"Saved {self.message_id} for {self.user_id}{' (done)' if self.done_at else ''}"


class PushSubscription(models.Model):
    """One browser's Web Push subscription (a device): where the push service takes pushes for it, and the
    keys its payloads are encrypted to.

    An endpoint belongs to one person at a time: the browser that made it is used by whoever signed in
    last, so subscribing an endpoint someone else held moves it. `enabled` is the device's own setting
    ("desktop notifications on this device"). A push service that answers 404 or 410 has forgotten the
    subscription, and the row is deleted; other failures are counted in `failure_count`.
    """

    public_id = models.CharField(
        max_length=16, unique=True, editable=False, default=partial(new_public_id, PUSH_SUBSCRIPTION_PREFIX)
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.CharField(max_length=2048, unique=True)
    p256dh = models.CharField(max_length=100, help_text="The browser's P-256 public key, base64url.")
    auth = models.CharField(max_length=40, help_text="The browser's authentication secret, base64url.")
    device = models.CharField(max_length=200, blank=True, help_text="A label for the device (its user agent).")
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)
    failure_count = models.PositiveIntegerField(default=0)
    last_failure = models.CharField(max_length=64, blank=True, help_text="Why the last push failed, when it did.")

    class Meta:
        indexes = [models.Index(fields=["user"], condition=Q(enabled=True), name="push_subscription_enabled")]

    def __str__(self) -> str:
        return f"Push subscription {self.public_id} of {self.user_id}{'' if self.enabled else ' (off)'}"
