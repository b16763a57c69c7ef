"""Channels, their members and messages: the source of truth that every client catches up from.

Each channel numbers its messages 1, 2, 3… (`seq`, no gaps, allocated under the channel's
row lock) and stamps them with a Slack-style `ts` that grows with `seq`. Unread counts,
keyset history and socket resume all rest on that ordering.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import models
from django.db.models import JSONField, Q, Value
from django.db.models.functions import Lower
from django.utils import timezone

from slackclone.ids import FILE_PREFIX, SIDEBAR_SECTION_PREFIX, new_public_id
from workspaces.models import Workspace

CHANNEL_NAME_MAX_LENGTH = 80


class ChannelKind(models.TextChoices):
    PUBLIC = "public", "Public channel"
    PRIVATE = "private", "Private channel"
    DM = "dm", "Direct message"
    GROUP_DM = "group_dm", "Group direct message"


NAMED_KINDS = (ChannelKind.PUBLIC, ChannelKind.PRIVATE)
DIRECT_KINDS = (ChannelKind.DM, ChannelKind.GROUP_DM)


class Channel(models.Model):
    public_id = models.CharField(max_length=16, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(max_length=10, choices=ChannelKind.choices, default=ChannelKind.PUBLIC)
    name = models.CharField(max_length=CHANNEL_NAME_MAX_LENGTH, null=True, blank=True)
    # Sorted member keys of a DM or group DM, so opening it twice finds the same channel.
    dm_key = models.CharField(max_length=400, null=True, blank=True, editable=False)
    topic = models.CharField(max_length=250, blank=True)
    purpose = models.CharField(max_length=250, blank=True)
    is_general = models.BooleanField(default=False, editable=False, help_text="Everyone joins it; never archived.")
    is_archived = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_seq = models.BigIntegerField(default=0, editable=False)
    last_ts = models.CharField(max_length=24, blank=True, editable=False)
    # Edits, deletions, reactions and pins stamp a message with the current seq without moving it;
    # this counts them, so "has anything in the channel changed?" is one comparison (replay cache).
    change_count = models.BigIntegerField(default=0, db_default=0, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name"],
                condition=Q(name__isnull=False),
                name="channel_name_unique_in_workspace",
            ),
            models.UniqueConstraint(
                fields=["workspace", "dm_key"],
                condition=Q(dm_key__isnull=False),
                name="channel_dm_unique_in_workspace",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.name}" if self.name else f"{self.get_kind_display()} {self.public_id}"

    @property
    def is_direct(self) -> bool:
        return self.kind in DIRECT_KINDS

    @property
    def is_private(self) -> bool:
        """Private channels and DMs are visible only to their members."""
        return self.kind != ChannelKind.PUBLIC


class NotifyLevel(models.TextChoices):
    ALL = "all", "Every new message"
    MENTIONS = "mentions", "Mentions and DMs"
    NOTHING = "nothing", "Nothing"


class ChannelMember(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_memberships")
    last_read_seq = models.BigIntegerField(default=0)
    notify_level = models.CharField(max_length=10, choices=NotifyLevel.choices, default=NotifyLevel.MENTIONS)
    muted = models.BooleanField(default=False)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "user"], name="channel_member_unique")]
        indexes = [
            models.Index(fields=["user", "channel"]),
            # The members of a channel who asked for every message (notifications.rules); in a large
            # channel they are few (DM participants are all at this level, and a DM is small).
            models.Index(
                fields=["channel"],
                condition=models.Q(notify_level="all", muted=False),
                name="channel_member_notify_all",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.email} in {self.channel}"


class Message(models.Model):
    # No index of its own: message_seq_unique (channel, seq) serves every lookup by channel. A second
    # index on channel alone let the planner scan a whole channel for unread counts (seq > marker
    # became a filter instead of an index bound): see docs/performance.md, Unread and mention counts.
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="messages", db_index=False)
    seq = models.BigIntegerField(editable=False)
    ts = models.CharField(max_length=24, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="messages")
    text = models.TextField(blank=True)
    thread_root = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies", editable=False
    )
    reply_broadcast = models.BooleanField(default=False, help_text="A thread reply also shown in the channel.")
    reply_count = models.PositiveIntegerField(default=0, editable=False)
    latest_reply_ts = models.CharField(max_length=24, blank=True, editable=False)
    client_msg_id = models.CharField(max_length=64, null=True, blank=True, editable=False)
    # How a bot's message is shown, as Slack's chat.postMessage and incoming webhooks allow:
    # a name and icon for this message only (Slack's `username`, `icon_emoji`, `icon_url`).
    bot_username = models.CharField(max_length=80, blank=True, editable=False, default="", db_default="")
    bot_icon_emoji = models.CharField(max_length=100, blank=True, editable=False, default="", db_default="")
    bot_icon_url = models.URLField(max_length=500, blank=True, editable=False, default="", db_default="")
    # Slack's Block Kit blocks and legacy attachments, as sent (chat.block_kit checked them): the client
    # shows the blocks in place of `text`, which stays the notification and search fallback.
    blocks = models.JSONField(default=list, blank=True, editable=False, db_default=Value([], JSONField()))
    legacy_attachments = models.JSONField(
        default=list, blank=True, editable=False, db_default=Value([], JSONField()), help_text="Slack's attachments."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The channel's last_seq when this message last changed (edit, delete, reaction, pin), so a
    # resuming client that saw up to seq S replays the changes made at or after S.
    changed_at_seq = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "seq"], name="message_seq_unique"),
            models.UniqueConstraint(fields=["channel", "ts"], name="message_ts_unique"),
            models.UniqueConstraint(
                fields=["author", "client_msg_id"],
                condition=Q(client_msg_id__isnull=False),
                name="message_client_msg_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["thread_root", "seq"], name="message_thread_seq"),
            models.Index(
                fields=["channel", "changed_at_seq"], condition=Q(changed_at_seq__isnull=False), name="message_changed"
            ),
            # Search results come newest first across channels; keyset pages by (created_at, id).
            models.Index(fields=["created_at", "id"], name="message_created"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.seq} by {self.author_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def has_bot_display(self) -> bool:
        return bool(self.bot_username or self.bot_icon_emoji or self.bot_icon_url)

    @property
    def thread_ts(self) -> str | None:
        """Slack's thread_ts: the root's ts for replies, and for a root that has replies, its own."""
        if self.thread_root is not None:
            return self.thread_root.ts
        return self.ts if self.reply_count else None


class ThreadFollow(models.Model):
    """One person and one thread: whether they follow it, and how far they have read its replies.

    Slack's and Mattermost's collapsed threads: replies raise the thread's unread count, not the
    channel's. Starting a thread, replying to it or being mentioned in it follows it
    (chat.services.threads); an explicit unfollow is a row with `following` false, which those
    automatic follows leave alone (only replying again follows it again). The unread count is the
    live replies by others after `last_read_seq`; `last_read_ts` lets a count skip threads whose
    latest reply is not newer than the marker without touching their replies.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    root = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    # The root's channel, copied so a person's threads are narrowed to the channels they may read
    # without a join through the messages.
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    following = models.BooleanField(default=True)
    last_read_seq = models.BigIntegerField(default=0)
    last_read_ts = models.CharField(max_length=24, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["root", "user"], name="thread_follow_unique")]
        indexes = [
            models.Index(fields=["user", "channel"], condition=Q(following=True), name="thread_follow_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {'follows' if self.following else 'unfollowed'} {self.root_id}"


class ThreadPreference(models.Model):
    """A person's notification preference for the threads they follow, per workspace. No row: the
    default, a notification for every new reply by someone else."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    new_replies = models.BooleanField(default=True, help_text="Notify me of new replies in threads I follow.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "workspace"], name="thread_preference_unique")]

    def __str__(self) -> str:
        return f"Thread notifications of {self.user_id} in {self.workspace_id}: {self.new_replies}"


class MentionKind(models.TextChoices):
    USER = "user", "User"
    CHANNEL = "channel", "@channel"
    HERE = "here", "@here"
    EVERYONE = "everyone", "@everyone"


class Mention(models.Model):
    """One mention in a message: a user, or a broadcast (@channel, @here, @everyone) with no user.

    channel and seq are copied from the message so the per-channel mention counts and the
    mentions inbox are index-only reads.
    """

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="mentions")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    seq = models.BigIntegerField()
    kind = models.CharField(max_length=10, choices=MentionKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="mentions"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "kind", "user"], name="mention_unique"),
        ]
        indexes = [
            models.Index(fields=["user", "channel", "seq"], name="mention_user_channel_seq"),
            models.Index(fields=["channel", "seq"], condition=Q(user__isnull=True), name="mention_broadcast"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.user_id or ''} in {self.message_id}".replace("  ", " ")


class Reaction(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions")
    emoji = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user", "emoji"], name="reaction_unique")]

    def __str__(self) -> str:
        return f":{self.emoji}: by {self.user_id} on {self.message_id}"


class Pin(models.Model):
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="pin")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="pins")
    pinned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Pin of {self.message_id} in {self.channel}"


class Attachment(models.Model):
    """An uploaded file. It is served only to members of the channel it was shared in."""

    public_id = models.CharField(
        max_length=16, unique=True, editable=False, default=partial(new_public_id, FILE_PREFIX)
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments")
    uploader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to="files/%Y/%m/")
    thumbnail = models.ImageField(upload_to="thumbs/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.original_name} ({self.size} bytes)"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ExternalUpload(models.Model):
    """A file announced by Slack's files.getUploadURLExternal: its bytes arrive at a one-time URL,
    then files.completeUploadExternal shares it in a message. Until then its Attachment belongs to no
    channel, so nobody can fetch it; an upload left unshared for an hour is dropped."""

    file_public_id = models.CharField(
        max_length=16, unique=True, editable=False, default=partial(new_public_id, FILE_PREFIX)
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    uploader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)
    length = models.PositiveBigIntegerField(help_text="The size announced; the bytes sent must match it.")
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    attachment = models.OneToOneField(Attachment, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.filename} ({self.file_public_id}, {'received' if self.attachment_id else 'waiting'})"


class CustomEmoji(models.Model):
    """A workspace's own emoji: an image someone uploaded under a name, or an alias (another name for a
    custom or standard emoji, as Slack's `alias:name`). Names are unique in a workspace and never a
    standard emoji's (chat.services.emoji)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    # The image as we made it (slackclone.images.emoji_image): a PNG, or a GIF when animated. Its random
    # file name is in its URL, so a replaced image is a new URL and browsers may cache each for good.
    image = models.FileField(upload_to="emoji/", blank=True)
    content_type = models.CharField(max_length=20, blank=True)
    # An alias names the emoji it stands for (always an original, never another alias); empty for an image.
    alias_for = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "custom emoji"
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="custom_emoji_name_unique"),
            models.CheckConstraint(
                condition=(Q(alias_for="") & ~Q(image="")) | (~Q(alias_for="") & Q(image="")),
                name="custom_emoji_image_or_alias",
            ),
        ]

    def __str__(self) -> str:
        return f":{self.name}: in {self.workspace_id}" + (f" (alias of :{self.alias_for}:)" if self.alias_for else "")

    @property
    def is_alias(self) -> bool:
        return bool(self.alias_for)

    @property
    def image_key(self) -> str:
        """The stored file's name without its folder: what the image's URL carries."""
        return self.image.name.rsplit("/", 1)[-1] if self.image else ""


class SectionKind(models.TextChoices):
    """Slack's section types: a person's own ("standard"), and the two every sidebar has."""

    CUSTOM = "standard", "Custom"
    CHANNELS = "channels", "Channels"
    DIRECT_MESSAGES = "direct_messages", "Direct messages"


class SectionSort(models.TextChoices):
    MANUAL = "manual", "As arranged"
    ACTIVITY = "activity", "Most recent activity"
    NAME = "name", "Name"


SECTION_NAME_MAX_LENGTH = 80


class SidebarSection(models.Model):
    """One section of a person's sidebar in one workspace.

    The default sections ("Channels", "Direct messages") get a row only once the person collapses,
    sorts or arranges them; until then the sidebar shows them with their defaults. A channel nobody
    placed stays in its default section.
    """

    public_id = models.CharField(
        max_length=16, unique=True, editable=False, default=partial(new_public_id, SIDEBAR_SECTION_PREFIX)
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=SectionKind.choices, default=SectionKind.CUSTOM)
    name = models.CharField(max_length=SECTION_NAME_MAX_LENGTH, blank=True)
    position = models.PositiveIntegerField(default=0)
    collapsed = models.BooleanField(default=False)
    sort = models.CharField(max_length=10, choices=SectionSort.choices, default=SectionSort.MANUAL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "workspace", "kind"],
                condition=~Q(kind="standard"),
                name="sidebar_section_default_once",
            ),
            models.UniqueConstraint(
                Lower("name"),
                "user",
                "workspace",
                condition=Q(kind="standard"),
                name="sidebar_section_name_unique",
            ),
        ]
        indexes = [models.Index(fields=["user", "workspace", "position"])]

    def __str__(self) -> str:
        return f"{self.name or self.kind} ({self.public_id})"


class SidebarPlacement(models.Model):
    """Where a person put one channel or DM: a section, and its place there when the section is arranged by hand.

    Kept when the person leaves the channel (the sidebar shows only channels they are in), so coming
    back finds it where it was; deleting the section sends its channels back to their default section.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    section = models.ForeignKey(SidebarSection, on_delete=models.CASCADE, related_name="placements")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "channel"], name="sidebar_placement_unique")]
        indexes = [models.Index(fields=["section", "position"])]

    def __str__(self) -> str:
        return f"channel {self.channel_id} in section {self.section_id} at {self.position}"


class SidebarPrefs(models.Model):
    """A person's sidebar settings in one workspace, and the revision of their whole layout there; no row
    means the defaults, at revision 0.

    `revision` grows by one in the transaction of every change to the layout (sections, placements, this
    row), under the lock chat.services.sidebar takes, so it orders the layouts: a client that has shown
    one revision ignores any older layout that reaches it later (events of two quick changes can cross).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    show_unreads = models.BooleanField(default=False)
    revision = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name_plural = "sidebar prefs"
        constraints = [models.UniqueConstraint(fields=["user", "workspace"], name="sidebar_prefs_unique")]

    def __str__(self) -> str:
        return f"sidebar prefs of {self.user_id} in {self.workspace_id}"


# The server's link previews live in their own module (chat.unfurls); Django finds models through this one.
from chat.unfurls.models import LinkPreview, PreviewImage  # noqa: E402, F401
