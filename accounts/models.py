"""People and their credentials.

The user model is custom from the first migration: email is the login (unique
without regard to case), and every user carries a public id (U…) that is the only
id the outside world sees.
"""

from __future__ import annotations

import hashlib
import zoneinfo
from functools import partial

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as dj_timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from slackclone.ids import API_TOKEN_PREFIX, USER_PREFIX, new_public_id


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (for example Europe/Paris).")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username or "")

    def _create(self, email: str, password: str | None, **fields) -> User:
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields["is_staff"] = True
        fields["is_superuser"] = True
        fields.setdefault("email_verified_at", dj_timezone.now())  # the operator vouches for the address
        return self._create(email, password, **fields)


class BotKind(models.TextChoices):
    """Where a bot user comes from, which decides whether anyone may hold a token acting as it."""

    APP = "app", "App bot (made by a workspace admin; acts through xoxb- tokens)"
    WEBHOOK = "webhook", "Incoming webhook (acts only through its URL)"
    SYSTEM = "system", "System bot (Slackbot; acts only for the server)"


class Theme(models.TextChoices):
    SYSTEM = "system", _("As the system is set")
    LIGHT = "light", _("Light")
    DARK = "dark", _("Dark")


class User(AbstractBaseUser, PermissionsMixin):
    public_id = models.CharField(
        max_length=16, unique=True, editable=False, default=partial(new_public_id, USER_PREFIX)
    )
    email = models.EmailField(max_length=254, unique=True)
    # An address counts (invitations addressed to it, imported history, being matched by an import)
    # only once its owner has proved it by following the link mailed to it, or an operator made the
    # account. Changing the address clears it.
    email_verified_at = models.DateTimeField(null=True, blank=True)
    full_name = models.CharField(max_length=120, blank=True)
    display_name = models.CharField(max_length=80, blank=True)
    title = models.CharField(max_length=120, blank=True)
    avatar = models.ImageField(upload_to="avatars/", blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    status_emoji = models.CharField(max_length=100, blank=True)
    status_text = models.CharField(max_length=100, blank=True)
    status_expires_at = models.DateTimeField(null=True, blank=True)
    # Notification preferences. Do-not-disturb hours are in the user's own time zone; a window
    # whose end is before its start runs past midnight (22:00-07:00).
    email_notifications = models.BooleanField(
        default=True, help_text="Email mentions and direct messages that arrive while the user is away."
    )
    dnd_start = models.TimeField(null=True, blank=True, help_text="Do not disturb from (local time).")
    dnd_end = models.TimeField(null=True, blank=True, help_text="Do not disturb until (local time).")
    # Light, dark, or as the device's system setting says (the pages' html[data-theme]).
    theme = models.CharField(max_length=8, choices=Theme.choices, default=Theme.SYSTEM, db_default=Theme.SYSTEM)
    # The interface's language (one of settings.LANGUAGES); empty follows the browser (slackclone.i18n).
    language = models.CharField(max_length=8, blank=True, default="", db_default="")
    # Whether others see that this user has read their direct messages, where the workspace shows read receipts.
    send_read_receipts = models.BooleanField(default=True, db_default=True)
    # Where `/` takes the user: the workspace whose client they opened last.
    last_workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Part of what signs a session (with the password): raising it ends every session signed before.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    is_bot = models.BooleanField(default=False)
    # Only an app bot takes tokens, and only in the workspace that owns it (integrations.tokens.api_token_create).
    # Empty for people, and for bots of unknown origin (imported, made in the Django admin): those take none.
    bot_kind = models.CharField(max_length=10, choices=BotKind.choices, blank=True, editable=False)
    bot_workspace = models.ForeignKey(
        "workspaces.Workspace",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="The workspace that owns this bot: its admins manage the bot's tokens.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May log in to the Django admin.")
    date_joined = models.DateTimeField(default=dj_timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def clean(self) -> None:
        super().clean()
        self.email = self.email.lower()

    # Set by accounts.signals before each save: whether the save changes what signs the user's sessions.
    _sessions_resigned: bool
    _session_signing_changes: frozenset[str]

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django signs each session with a hash of the password; ours adds the session epoch, so
        "sign out of all other sessions" works without a new password. Epoch 0 gives Django's own
        hash, so sessions signed before the epoch existed stay valid."""
        if not self.session_epoch:
            # The stubs leave out this private hook of AbstractBaseUser, which get_session_auth_hash calls.
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]
        key_salt = "accounts.User.session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}|{self.session_epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def name(self) -> str:
        """What other people see: the display name, else the full name, else the email's local part."""
        return self.display_name or self.full_name or self.email.split("@", 1)[0]

    def current_status(self) -> tuple[str, str]:
        """The custom status, or empty once it has expired."""
        if self.status_expires_at and self.status_expires_at <= dj_timezone.now():
            return "", ""
        return self.status_emoji, self.status_text


def hash_token(raw_token: str) -> str:
    """Tokens are long random strings, so a plain SHA-256 is enough; only this hash is stored."""
    return hashlib.sha256(raw_token.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal or bot API token; it acts as its user in one workspace.

    The raw token is shown once, at creation; the database keeps its hash and a
    short prefix so people can tell their tokens apart in lists.
    """

    public_id = models.CharField(
        max_length=16, unique=True, editable=False, default=partial(new_public_id, API_TOKEN_PREFIX)
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=16, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # An app's bot token acts only within its app's scopes (slack_api checks each method's); null for a
    # person's token and for bots made before apps, which may call every method their user may.
    scopes = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        indexes = [models.Index(fields=["user", "workspace"])]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'unnamed'}) for {self.user.email}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
