"""Slack apps installed in a workspace: their bot user and tokens, signing secret, events and commands.

An app acts through its bot user (a workspace member of kind app) and that bot's xoxb- token, an
ordinary accounts.ApiToken limited to the app's scopes. Its app-level xapp- token opens Socket Mode
connections and nothing else. Tokens are stored as hashes; the signing secret, which the server
needs to sign what it sends the app, is stored encrypted (slack_apps.sealing).
"""

from __future__ import annotations

import json
from functools import cached_property, partial

from django.conf import settings
from django.db import models
from django.utils import timezone

from slackclone.ids import APP_PREFIX, new_public_id
from workspaces.models import Workspace

APP_NAME_MAX_LENGTH = 35  # Slack's limit for display_information.name
APP_DESCRIPTION_MAX_LENGTH = 140
COMMAND_MAX_LENGTH = 32
URL_MAX_LENGTH = 2000


class App(models.Model):
    public_id = models.CharField(max_length=16, unique=True, editable=False, default=partial(new_public_id, APP_PREFIX))
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="apps")
    name = models.CharField(max_length=APP_NAME_MAX_LENGTH)
    description = models.CharField(max_length=APP_DESCRIPTION_MAX_LENGTH, blank=True)
    # The bot user stays after the app is deleted: it is the author of the app's messages.
    bot_user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="slack_app", editable=False
    )
    scopes = models.JSONField(default=list, help_text="The bot scopes granted (oauth_config.scopes.bot).")
    bot_events = models.JSONField(default=list, help_text="The events the app subscribes to, by Slack's names.")
    socket_mode = models.BooleanField(default=False, help_text="Deliver over Socket Mode instead of HTTP.")
    request_url = models.URLField(max_length=URL_MAX_LENGTH, blank=True, help_text="Events (and commands) by HTTP.")
    interactivity_url = models.URLField(max_length=URL_MAX_LENGTH, blank=True)
    shortcuts = models.JSONField(
        default=list,
        blank=True,
        help_text="features.shortcuts: [{name, type (global or message), callback_id, description}].",
    )
    unfurl_domains = models.JSONField(
        default=list,
        blank=True,
        help_text="features.unfurl_domains: links to these hosts (and their subdomains) are told by link_shared.",
    )
    signing_secret_sealed = models.TextField(editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Deliveries in a row that failed every retry; at DELIVERY_FAILURES_TO_DISABLE the request URL is
    # switched off (request_url_disabled_at) and the workspace's admins are told.
    delivery_failures = models.PositiveIntegerField(default=0, editable=False)
    request_url_disabled_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        indexes = [models.Index(fields=["workspace", "disabled_at"], name="app_workspace_live")]

    def __str__(self) -> str:
        return f"{self.name} ({self.public_id})"

    @property
    def is_disabled(self) -> bool:
        return self.disabled_at is not None


class AppToken(models.Model):
    """An app-level token (xapp-…, scope connections:write): it opens Socket Mode connections only."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="app_tokens")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=24, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… for {self.app.public_id}"


class SlashCommand(models.Model):
    """A command an app answers, unique in its workspace (Slack's rule for one workspace's apps)."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="commands")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+", editable=False)
    command = models.CharField(max_length=COMMAND_MAX_LENGTH, help_text="With its slash: /deploy.")
    url = models.URLField(max_length=URL_MAX_LENGTH, blank=True, help_text="Empty: the app's request URL.")
    description = models.CharField(max_length=APP_DESCRIPTION_MAX_LENGTH, blank=True)
    usage_hint = models.CharField(max_length=APP_DESCRIPTION_MAX_LENGTH, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "command"], name="slash_command_unique")]
        ordering = ["command"]

    def __str__(self) -> str:
        return self.command


class AppEvent(models.Model):
    """A change that apps may hear of: the outbox row, written in the transaction of the change.

    One row per change and kind of event, whatever the number of apps: which apps hear of it (enabled,
    subscribed to `subscription`, their bot in the channel when `in_channel`, one of `audience` when it
    names people) is decided when it is dispatched (slack_apps.dispatch), after the commit, which writes
    one EventDelivery per app. Until then `dispatched_at` is empty, and the periodic sweep dispatches any
    row whose task was lost, so a broker or worker that is down at commit time delays it, never loses it.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    subscription = models.CharField(max_length=40, help_text="The event name apps subscribe to: message.channels, ...")
    event_type = models.CharField(max_length=40)
    channel_id = models.CharField(max_length=16, blank=True, help_text="The channel it is about (public id).")
    channel_pk = models.BigIntegerField(null=True, blank=True)
    in_channel = models.BooleanField(default=True, help_text="Only apps whose bot is in the channel hear of it.")
    audience = models.JSONField(default=list, blank=True, help_text="If not empty: only these bots (user pks).")
    event = models.TextField(help_text="The inner event's JSON, in Slack's shape.")
    event_time = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["created_at"], name="app_event_undispatched", condition=models.Q(dispatched_at=None)),
            models.Index(fields=["dispatched_at"], name="app_event_dispatched"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} in {self.channel_id or self.workspace_id}"

    @cached_property
    def inner_event(self) -> dict:
        """The inner event, parsed once for all the apps that hear of it."""
        return json.loads(self.event)


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Waiting to be delivered (or retried)"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Given up after the retries, or the app asked for no retry"
    DROPPED = "dropped", "Not sent: the app was disabled or has nowhere to receive it"


class EventDelivery(models.Model):
    """One app's copy of an AppEvent: its event_id (the same on every retry), its state and retries.

    The envelope (`body`) is built from the AppEvent, the app and the event_id, the same bytes on every
    attempt. A pending row is sent when `next_attempt_at` comes: at once after dispatch (which leases it
    for a while, so nothing else sends it meanwhile), then by the periodic sweep (slack_apps.delivery).
    """

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="deliveries")
    app_event = models.ForeignKey(AppEvent, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=16, unique=True, editable=False, default=partial(new_public_id, "Ev"))
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=40, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=models.Q(state="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} to {self.app_id} ({self.state})"

    @property
    def event_type(self) -> str:
        return self.app_event.event_type

    @property
    def channel_id(self) -> str:
        return self.app_event.channel_id

    @property
    def body(self) -> str:
        """The event_callback envelope's exact JSON (needs app__workspace, app__bot_user and app_event)."""
        from slack_apps.envelopes import envelope_body

        event = self.app_event.inner_event
        return envelope_body(self.app, event, event_id=self.event_id, event_time=self.app_event.event_time)


RESPONSE_URL_USES = 5
RESPONSE_URL_MINUTES = 30


class CommandResponseUrl(models.Model):
    """A slash command's response_url: the app may answer through it RESPONSE_URL_USES times within
    RESPONSE_URL_MINUTES, in the conversation where the command was typed, to the person who typed it.
    Only the hash of its secret is stored."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("chat.Channel", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread_ts = models.CharField(max_length=24, blank=True)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    uses_left = models.PositiveSmallIntegerField(default=RESPONSE_URL_USES)
    expires_at = models.DateTimeField()
    # The last answer shown through it, which replace_original and delete_original act on: a message posted
    # in the conversation, or one shown to the person alone (ephemeral, never stored: known by its ts).
    original_ts = models.CharField(max_length=24, blank=True)
    original_is_ephemeral = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"response_url of {self.app_id} for {self.user_id} ({self.uses_left} uses left)"


VIEW_PREFIX = "V"


class ViewKind(models.TextChoices):
    MODAL = "modal"
    HOME = "home"


class View(models.Model):
    """A modal an app opened in front of one person (views.open, views.push), or its Home tab for them
    (views.publish). Modals stack: a pushed view points at the one below it and at the stack's root.

    `hash` changes with every update, so an app that read a view can update it only if nobody else did
    meanwhile (views.update with hash: hash_conflict otherwise). A closed modal is kept a day, then swept.
    """

    public_id = models.CharField(
        max_length=16, unique=True, editable=False, default=partial(new_public_id, VIEW_PREFIX)
    )
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=ViewKind.choices)
    root = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    previous = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    external_id = models.CharField(max_length=255, blank=True)
    callback_id = models.CharField(max_length=255, blank=True)
    private_metadata = models.CharField(max_length=3000, blank=True)
    title = models.JSONField(null=True, blank=True)
    submit = models.JSONField(null=True, blank=True)
    close = models.JSONField(null=True, blank=True)
    blocks = models.JSONField(default=list)
    notify_on_close = models.BooleanField(default=False)
    clear_on_close = models.BooleanField(default=False)
    submit_disabled = models.BooleanField(default=False)
    state = models.JSONField(default=dict, blank=True, help_text="state.values as last submitted or acted on.")
    hash = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["app", "external_id"],
                condition=~models.Q(external_id="") & models.Q(closed_at__isnull=True),
                name="view_external_id_unique",
            ),
            models.UniqueConstraint(
                fields=["app", "user"], condition=models.Q(kind="home"), name="view_one_home_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id} of {self.app_id} for {self.user_id}"
