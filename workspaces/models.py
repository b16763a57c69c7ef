"""Workspaces, who belongs to them and in which role, and the invitations that let people in."""

from __future__ import annotations

import secrets
from functools import partial

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from slackclone.ids import INVITATION_PREFIX, USERGROUP_PREFIX, WORKSPACE_PREFIX, new_public_id


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MEMBER = "member", _("Member")
    GUEST = "guest", _("Guest")


ADMIN_ROLES = frozenset({Role.OWNER, Role.ADMIN})
# A role named inside a sentence ("invited you to join as a guest"): lowercase where the language wants it.
ROLE_IN_SENTENCE = {
    Role.OWNER: pgettext_lazy("role in a sentence", "owner"),
    Role.ADMIN: pgettext_lazy("role in a sentence", "admin"),
    Role.MEMBER: pgettext_lazy("role in a sentence", "member"),
    Role.GUEST: pgettext_lazy("role in a sentence", "guest"),
}


class EmailDisplay(models.TextChoices):
    """Slack's "Display email addresses": who, besides owners and admins, sees people's addresses."""

    EVERYONE = "everyone", _("Everyone, guests included")
    MEMBERS = "members", _("Members, not guests")
    ADMINS = "admins", _("Only owners and admins")


class EmojiAddPolicy(models.TextChoices):
    """Slack's "Allow members to add custom emoji": who may add a workspace's emoji. Guests never may."""

    EVERYONE = "everyone", _("Every member")
    ADMINS = "admins", _("Only owners and admins")


class TwoFactorPolicy(models.TextChoices):
    """Who must have a second factor (an authenticator app or a passkey) before the client opens."""

    OFF = "off", _("Nobody is required to")
    ADMINS = "admins", _("Owners and admins")
    EVERYONE = "everyone", _("Everyone")


# The audit log is evidence: a workspace keeps it at least this long if it prunes it at all.
AUDIT_RETENTION_MIN_DAYS = 30
AUDIT_RETENTION_MAX_DAYS = 3650


class Workspace(models.Model):
    public_id = models.CharField(
        max_length=16, unique=True, editable=False, default=partial(new_public_id, WORKSPACE_PREFIX)
    )
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=50, unique=True)
    icon = models.ImageField(upload_to="workspace-icons/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    retention_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Delete messages older than this many days. Empty keeps everything.",
    )
    retention_keeps_pins = models.BooleanField(default=True, help_text="Pinned messages are exempt from retention.")
    email_display = models.CharField(
        max_length=10,
        choices=EmailDisplay.choices,
        default=EmailDisplay.MEMBERS,
        help_text="Who sees people's email addresses. Owners and admins always do; everyone sees their own.",
    )
    emoji_add_policy = models.CharField(
        max_length=10,
        choices=EmojiAddPolicy.choices,
        default=EmojiAddPolicy.EVERYONE,
        db_default=EmojiAddPolicy.EVERYONE,
        help_text="Who may add custom emoji. Owners and admins may always remove any.",
    )
    # Whether an enabled app here subscribes to events (kept by slack_apps.services): posting reads it
    # with the workspace it already loads, so a workspace without apps pays no query for them.
    has_event_subscribers = models.BooleanField(default=False, editable=False)
    usergroups_by_members = models.BooleanField(
        default=False,
        help_text="Members (not guests) may create and manage user groups. Owners and admins always may.",
    )
    link_previews = models.BooleanField(
        default=True,
        db_default=True,
        help_text="Show the server's previews of links in messages (fetched by the server, images re-served "
        "from this site). Apps' own unfurls are not affected.",
    )
    read_receipts = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Show who has seen the last message in direct messages and group DMs of up to 10 people. "
        "Each person may still turn off sending their own.",
    )
    two_factor_policy = models.CharField(
        max_length=10,
        choices=TwoFactorPolicy.choices,
        default=TwoFactorPolicy.OFF,
        db_default=TwoFactorPolicy.OFF,
        help_text="Who must set up two-factor authentication before opening the workspace. Set by owners.",
    )

    audit_retention_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(AUDIT_RETENTION_MIN_DAYS), MaxValueValidator(AUDIT_RETENTION_MAX_DAYS)],
        help_text="Delete audit log events older than this many days (30 to 3650). Empty keeps them all.",
    )

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"


class Membership(models.Model):
    """A user's place in a workspace. Deactivation keeps the row, and so their history."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)
    is_active = models.BooleanField(default=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "workspace"], name="membership_unique")]
        indexes = [models.Index(fields=["workspace", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user.email} in {self.workspace.slug} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role in ADMIN_ROLES

    @property
    def is_guest(self) -> bool:
        return self.role == Role.GUEST


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """A link (no email) or an invitation addressed to one email. Limited by time and number of uses."""

    public_id = models.CharField(
        max_length=16, unique=True, editable=False, default=partial(new_public_id, INVITATION_PREFIX)
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(blank=True)
    # The secret in the joining link. An invitation addressed to one email is mailed there and shown
    # to no one else (lists and admin pages name it by public_id), so holding it proves the address.
    token = models.CharField(max_length=64, unique=True, editable=False, default=new_invitation_token)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    inviter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    max_uses = models.PositiveIntegerField(null=True, blank=True, help_text="Empty means unlimited.")
    uses = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Invitation to {self.workspace.slug} for {self.email or 'anyone with the link'}"

    def get_role_in_sentence(self) -> str:
        """The role as a sentence of an invitation names it, in the current language."""
        return str(ROLE_IN_SENTENCE[Role(self.role)])

    @property
    def shareable_token(self) -> str | None:
        """The token where admins may see and share it: links for anyone, never an addressed invitation."""
        return None if self.email else self.token

    @property
    def is_expired(self) -> bool:
        return self.revoked_at is not None or self.expires_at <= timezone.now()

    @property
    def is_used_up(self) -> bool:
        return self.max_uses is not None and self.uses >= self.max_uses


class UserGroup(models.Model):
    """A user group (Slack's "subteam"): a handle such as @design-team that mentions each of its members.

    Disabling keeps the group and its members (Slack's date_delete), so enabling brings it back; a
    disabled group mentions nobody. Its handle and name stay taken while it is disabled, so enabling
    never collides. The default channels are public channel ids, as Slack's prefs.channels lists them.
    """

    public_id = models.CharField(
        max_length=16, unique=True, editable=False, default=partial(new_public_id, USERGROUP_PREFIX)
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="usergroups")
    name = models.CharField(max_length=80)
    handle = models.CharField(max_length=21)
    description = models.CharField(max_length=250, blank=True)
    default_channels = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    disabled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("workspace", Lower("handle"), name="usergroup_handle_unique"),
            models.UniqueConstraint("workspace", Lower("name"), name="usergroup_name_unique"),
        ]

    def __str__(self) -> str:
        return f"@{self.handle} in {self.workspace_id}"

    @property
    def is_enabled(self) -> bool:
        return self.disabled_at is None


class UserGroupMember(models.Model):
    group = models.ForeignKey(UserGroup, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="usergroup_memberships")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="usergroup_member_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id}"
