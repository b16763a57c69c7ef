"""Accounts and API tokens: the write path for people and their credentials."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.events import send_user_change
from accounts.models import ApiToken, User, hash_token
from realtime import transport
from slackclone.errors import DomainError, ErrorCode
from slackclone.images import replace_image
from slackclone.rawsql import Columns, split_row
from workspaces.models import Membership, Workspace
from workspaces.permissions import access_membership, access_workspace_admin, check_membership_standing

TOKEN_LAST_USED_PRECISION_SECONDS = 60


def check_email(raw: str) -> str:
    """The address, lower-cased, if it is one. Raises invalid_email."""
    email = (raw or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(
            ErrorCode.INVALID_EMAIL, f"{raw!r} is not an email address.", fields={"email": "invalid"}
        ) from None
    return email


def user_create(
    *,
    email: str,
    password: str | None = None,
    full_name: str = "",
    display_name: str = "",
    is_bot: bool = False,
    is_active: bool = True,
    email_verified: bool = False,
    validate_password_strength: bool = True,
) -> User:
    """Create an account. No password means it cannot log in until one is set (bots, invitees).

    `email_verified` is for accounts whose address needs no proof: made by the operator, or by
    someone who followed a link mailed to it. Anyone else proves it through accounts.signup.
    Callers: sign-up (accounts.signup), the operator, workspace admins creating bots, imports.
    Raises: invalid_email, email_taken, invalid_password.
    """
    email = check_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(ErrorCode.EMAIL_TAKEN, f"An account with {email} already exists.", fields={"email": "taken"})
    user = User(
        email=email,
        is_bot=is_bot,
        is_active=is_active,
        full_name=(full_name or "").strip()[:120],
        display_name=(display_name or "").strip()[:80],
        email_verified_at=timezone.now() if email_verified and not is_bot else None,
    )
    if password:
        if validate_password_strength:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise DomainError(
                    ErrorCode.INVALID_PASSWORD, " ".join(exc.messages), fields={"password": "weak"}
                ) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise DomainError(
            ErrorCode.EMAIL_TAKEN, f"An account with {email} already exists.", fields={"email": "taken"}
        ) from None
    return user


def _token_prefix(user: User) -> str:
    return "xoxb-" if user.is_bot else "xoxp-"


def _check_bot_takes_tokens(*, bot: User, workspace: Workspace, minter: User | None) -> None:
    """A bot token reads whatever the bot can. A webhook's bot and Slackbot never take one; otherwise
    a workspace admin gets one only for an app bot of this very workspace, and only if they already
    see every private conversation the bot is in. The operator (None) is trusted with any other bot.
    Raises bot_token_not_allowed.
    """
    from django.db.models import Exists, OuterRef

    from accounts.models import BotKind
    from chat.models import ChannelKind, ChannelMember

    never = {
        BotKind.WEBHOOK: "a webhook's bot acts only through its webhook URL",
        BotKind.SYSTEM: "Slackbot acts only for the server",
    }
    if bot.bot_kind in never:
        raise DomainError(ErrorCode.BOT_TOKEN_NOT_ALLOWED, f"This bot cannot have API tokens: {never[bot.bot_kind]}.")
    if minter is None:
        return
    if bot.bot_kind != BotKind.APP or bot.bot_workspace_id != workspace.pk:
        raise DomainError(
            ErrorCode.BOT_TOKEN_NOT_ALLOWED, "This bot is not one of this workspace's own; its admins cannot manage it."
        )
    minter_in = ChannelMember.objects.filter(channel=OuterRef("channel"), user=minter)
    hidden = (
        ChannelMember.objects.filter(user=bot, channel__workspace=workspace)
        .exclude(channel__kind=ChannelKind.PUBLIC)
        .exclude(Exists(minter_in))
    )
    if hidden.exists():
        raise DomainError(
            ErrorCode.BOT_TOKEN_NOT_ALLOWED,
            "This bot is in private conversations you are not in, so its token would read them; "
            "ask someone who is in all of them, or make a new bot.",
        )


@transaction.atomic
def api_token_create(*, actor: User | None, user: User, workspace: Workspace, name: str = "") -> tuple[ApiToken, str]:
    """Create an API token acting as `user` in `workspace`; returns the row and the raw token, shown once.

    Slack's prefixes tell the kinds apart: xoxp- for people, xoxb- for bots.
    Callers: a user for themselves; admins of the workspace that owns an app bot, for that bot (see
    _check_bot_takes_tokens); the operator, for anyone but a webhook's bot or Slackbot. The tokens an
    admin made for bots are revoked when they stop being an admin there (workspaces.services.
    member_change_role, member_deactivate).
    Raises: workspace_not_found / account_inactive (user not active there), restricted_action,
    bot_token_not_allowed.
    """
    if actor is not None and actor.pk != user.pk:
        access_workspace_admin(actor, workspace)
        if not user.is_bot:
            raise DomainError(
                ErrorCode.RESTRICTED_ACTION, "Admins create tokens for bots only; people create their own."
            )
    access_membership(user, workspace)
    if user.is_bot:
        _check_bot_takes_tokens(bot=user, workspace=workspace, minter=actor)
    raw = _token_prefix(user) + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        workspace=workspace,
        name=(name or "").strip()[:100],
        token_hash=hash_token(raw),
        prefix=raw[:12],
        created_by=actor,
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    """Revoke a token at once: it authenticates nothing more, and the sockets it opened are closed
    in every process; the user's other sockets stay open.

    Callers: its user; admins of its workspace; the operator.
    Raises: workspace_not_found, account_inactive, restricted_action (an actor who is neither the
    token's user nor an admin of its workspace).
    Events: chat.close (4401, token_revoked) to the sockets the token opened.
    """
    if actor is not None and actor.pk != token.user_id:
        access_workspace_admin(actor, token.workspace)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        transport.close_sockets(token.user, reason="token_revoked", token_id=token.pk)
    return token


def api_tokens_revoke_minted_by(*, user: User, workspace: Workspace | None = None) -> None:
    """Revoke the bot tokens `user` made (in `workspace`, or anywhere), as api_token_revoke does: a token
    must not outlast its maker's right to make it. Their own tokens are left to their own standing.

    Callers: leaving the admin roles, losing a membership, a deactivated account.
    Events: chat.close (4401, token_revoked) to the sockets those tokens opened.
    """
    minted = ApiToken.objects.filter(created_by=user, revoked_at__isnull=True).exclude(user_id=F("created_by_id"))
    if workspace is not None:
        minted = minted.filter(workspace=workspace)
    for token in minted.select_related("user", "workspace"):
        api_token_revoke(actor=None, token=token)


_TOKEN = Columns(ApiToken, "t")
_TOKEN_USER = Columns(User, "u")
_TOKEN_WORKSPACE = Columns(Workspace, "w")


@cache
def _token_authenticate_sql() -> str:
    return f"""
        SELECT {_TOKEN.sql}, {_TOKEN_USER.sql}, {_TOKEN_WORKSPACE.sql}, m.is_active
        FROM {ApiToken._meta.db_table} t
        JOIN {User._meta.db_table} u ON u.id = t.user_id
        JOIN {Workspace._meta.db_table} w ON w.id = t.workspace_id
        LEFT JOIN {Membership._meta.db_table} m ON m.user_id = t.user_id AND m.workspace_id = t.workspace_id
        WHERE t.token_hash = %s AND t.revoked_at IS NULL
    """


def api_token_authenticate(raw: str) -> ApiToken:
    """The live token for a raw string, its user active in its workspace; records when it was last used.

    Every API call runs this, so it is one SQL statement (slackclone.rawsql): the token with its user
    and workspace loaded, and the membership's standing.
    Raises: invalid_auth (unknown or revoked), account_inactive (user or membership deactivated).
    """
    if not isinstance(raw, str) or not raw:
        raise DomainError(ErrorCode.INVALID_AUTH, "Invalid or missing token.")
    with connection.cursor() as cursor:
        cursor.execute(_token_authenticate_sql(), [hash_token(raw)])
        row = cursor.fetchone()
    if row is None:
        raise DomainError(ErrorCode.INVALID_AUTH, "Invalid or revoked token.")
    token, user, workspace, membership_is_active = split_row(row, _TOKEN, _TOKEN_USER, _TOKEN_WORKSPACE, 1)
    check_membership_standing(user_is_active=user.is_active, membership_is_active=membership_is_active)
    token.user, token.workspace = user, workspace
    token.last_used_at = _note_token_use(token.pk, token.last_used_at)
    return token


@dataclass(frozen=True, slots=True)
class TokenIdentity:
    """Who a token is, without the models: what a socket keeps for its whole life."""

    user_pk: int
    user_public_id: str
    workspace_id: int
    token_pk: int


_TOKEN_IDENTITY_SQL = """
    SELECT t.id, t.last_used_at, t.workspace_id, u.id, u.public_id, u.is_active, m.is_active
    FROM {token} t
    JOIN {user} u ON u.id = t.user_id
    LEFT JOIN {membership} m ON m.user_id = t.user_id AND m.workspace_id = t.workspace_id
    WHERE t.token_hash = %s AND t.revoked_at IS NULL
"""


def api_token_identify(raw: str) -> TokenIdentity:
    """api_token_authenticate's checks and bookkeeping in one SQL statement, returning no models.

    For the socket handshake, which every client of a reconnect storm runs at once: building the ORM
    query (a join and a subquery) cost more than running it (docs/performance.md, Reconnect storms).
    Callers: the real-time gateway.
    Raises: invalid_auth, account_inactive, workspace_not_found, as api_token_authenticate.
    """
    if not isinstance(raw, str) or not raw:
        raise DomainError(ErrorCode.INVALID_AUTH, "Invalid or missing token.")
    sql = _TOKEN_IDENTITY_SQL.format(
        token=ApiToken._meta.db_table, user=User._meta.db_table, membership=Membership._meta.db_table
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [hash_token(raw)])
        row = cursor.fetchone()
    if row is None:
        raise DomainError(ErrorCode.INVALID_AUTH, "Invalid or revoked token.")
    token_pk, last_used_at, workspace_id, user_pk, user_public_id, user_is_active, membership_is_active = row
    check_membership_standing(user_is_active=user_is_active, membership_is_active=membership_is_active)
    _note_token_use(token_pk, last_used_at)
    return TokenIdentity(user_pk, user_public_id, workspace_id, token_pk)


def _note_token_use(token_pk: int, last_used_at: datetime | None) -> datetime | None:
    """Record when a token was last used, at most once per TOKEN_LAST_USED_PRECISION_SECONDS."""
    now = timezone.now()
    if last_used_at is None or (now - last_used_at).total_seconds() > TOKEN_LAST_USED_PRECISION_SECONDS:
        ApiToken.objects.filter(pk=token_pk).update(last_used_at=now)
        return now
    return last_used_at


PROFILE_TEXT_LIMITS = {"full_name": 120, "display_name": 80, "title": 120}
STATUS_TEXT_MAX_LENGTH = 100


def _announce_user_change(user: User) -> None:
    """Everyone who shares a workspace with the user sees the new profile (user_change)."""
    for membership in Membership.objects.filter(user=user, is_active=True).select_related("workspace"):
        send_user_change(membership.workspace, user)


def _check_timezone(raw: str) -> str:
    import zoneinfo

    if not isinstance(raw, str) or raw not in zoneinfo.available_timezones():
        raise DomainError(
            ErrorCode.INVALID_TIMEZONE,
            f"{raw!r} is not a known time zone (for example Europe/Paris).",
            fields={"timezone": "invalid"},
        )
    return raw


@transaction.atomic
def user_update_profile(*, actor: User, user: User, **changes: str) -> User:
    """Change the profile fields given: full_name, display_name, title, timezone.

    Callers: the user themselves (the operator may pass actor=user).
    Raises: restricted_action (someone else's profile), invalid_arguments (too long, unknown field),
    invalid_timezone, account_inactive.
    Events: user_change in each of the user's workspaces.
    """
    if actor.pk != user.pk:
        raise DomainError(ErrorCode.RESTRICTED_ACTION, "You can only change your own profile.")
    if not user.is_active:
        raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "This account has been deactivated.")
    unknown = set(changes) - {*PROFILE_TEXT_LIMITS, "timezone"}
    if unknown:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS, "Unknown profile fields.", fields=dict.fromkeys(sorted(unknown), "unknown")
        )
    for field, value in changes.items():
        if field == "timezone":
            user.timezone = _check_timezone(value)
            continue
        cleaned = (value or "").strip()
        if len(cleaned) > PROFILE_TEXT_LIMITS[field]:
            raise DomainError(
                ErrorCode.INVALID_ARGUMENTS,
                f"{field} can be at most {PROFILE_TEXT_LIMITS[field]} characters.",
                fields={field: "too_long"},
            )
        setattr(user, field, cleaned)
    if changes:
        user.save(update_fields=list(changes))
        _announce_user_change(user)
    return user


@transaction.atomic
def user_set_status(*, actor: User, emoji: str = "", text: str = "", expires_at=None) -> User:
    """Set (or, with empty emoji and text, clear) the actor's custom status, optionally until `expires_at`.

    Callers: any active user, for themselves.
    Raises: invalid_emoji, invalid_arguments (text too long, expiry in the past), account_inactive.
    Events: user_change in each of the user's workspaces.
    """
    from chat.text import check_emoji_name

    if not actor.is_active:
        raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "This account has been deactivated.")
    emoji = check_emoji_name(emoji) if (emoji or "").strip(": ") else ""
    text = (text or "").strip()
    if len(text) > STATUS_TEXT_MAX_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            f"A status can be at most {STATUS_TEXT_MAX_LENGTH} characters.",
            fields={"status_text": "too_long"},
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS, "The status would expire in the past.", fields={"expires_at": "past"}
        )
    actor.status_emoji = f":{emoji}:" if emoji else ""
    actor.status_text = text
    actor.status_expires_at = expires_at if (emoji or text) else None
    actor.save(update_fields=["status_emoji", "status_text", "status_expires_at"])
    _announce_user_change(actor)
    return actor


@transaction.atomic
def user_set_notification_preferences(
    *, actor: User, email_notifications: bool | None = None, dnd_start=None, dnd_end=None, clear_dnd: bool = False
) -> User:
    """Change how the actor is notified: email on or off, and a daily do-not-disturb window.

    The window needs both ends (in the user's time zone); `clear_dnd` removes it.
    Callers: any active user, for themselves. Notification jobs read these fields.
    Raises: invalid_arguments (half a window, or an empty one), account_inactive.
    """
    if not actor.is_active:
        raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "This account has been deactivated.")
    fields = []
    if email_notifications is not None:
        actor.email_notifications = bool(email_notifications)
        fields.append("email_notifications")
    if clear_dnd:
        actor.dnd_start = actor.dnd_end = None
        fields += ["dnd_start", "dnd_end"]
    elif dnd_start is not None or dnd_end is not None:
        if dnd_start is None or dnd_end is None:
            missing = "dnd_end" if dnd_end is None else "dnd_start"
            raise DomainError(
                ErrorCode.INVALID_ARGUMENTS, "Do not disturb needs a start and an end.", fields={missing: "required"}
            )
        if dnd_start == dnd_end:
            raise DomainError(
                ErrorCode.INVALID_ARGUMENTS,
                "Do not disturb cannot start and end at the same time.",
                fields={"dnd_end": "invalid"},
            )
        actor.dnd_start, actor.dnd_end = dnd_start, dnd_end
        fields += ["dnd_start", "dnd_end"]
    if fields:
        actor.save(update_fields=fields)
    return actor


AVATAR_SIZE = 512


@transaction.atomic
def user_set_avatar(*, actor: User, image: UploadedFile | None) -> User:
    """Set the actor's profile picture from an uploaded image (a square PNG is stored), or remove it (None).

    Callers: any active user, for themselves.
    Raises: invalid_file, file_too_large (slackclone.images), account_inactive.
    Events: user_change in each of the user's workspaces.
    """
    if not actor.is_active:
        raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "This account has been deactivated.")
    if not replace_image(actor.avatar, image, size=AVATAR_SIZE, field="avatar"):
        return actor
    actor.save(update_fields=["avatar"])
    _announce_user_change(actor)
    return actor


def user_set_last_workspace(*, actor: User, workspace: Workspace) -> None:
    """Remember the workspace the actor opened last, so `/` takes them back to it.

    Callers: the web client's page, each time it is opened. Writes only when it changes.
    Raises: workspace_not_found, account_inactive (not an active member).
    """
    access_membership(actor, workspace)
    if actor.last_workspace_id != workspace.pk:
        User.objects.filter(pk=actor.pk).update(last_workspace=workspace)
        actor.last_workspace = workspace


@transaction.atomic
def user_sign_out_other_sessions(*, actor: User) -> User:
    """End every session of the actor's (in every browser) and close their sockets; the caller
    re-signs its own session at once (django.contrib.auth.update_session_auth_hash).

    Sessions are signed with the password and a session epoch; raising the epoch ends them all.
    API tokens are not sessions and keep working: revoke them on the tokens page.
    Callers: any active user, for themselves.
    Raises: account_inactive.
    Events: chat.close (4013, session_changed) to the user's sockets, which reconnect or sign out.
    """
    if not actor.is_active:
        raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "This account has been deactivated.")
    User.objects.filter(pk=actor.pk).update(session_epoch=F("session_epoch") + 1)
    actor.refresh_from_db(fields=["session_epoch"])
    transport.close_sockets(actor, code=4013, reason="session_changed")
    return actor
