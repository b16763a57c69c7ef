"""Accounts and API tokens: the write path for people and their credentials."""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.events import send_user_change
from accounts.models import ApiToken, Theme, User
from audit.models import AuditAction
from audit.services import audit_record
from realtime import transport
from slackclone.emoji import check_emoji_name
from slackclone.errors import DomainError, ErrorCode
from slackclone.i18n import LANGUAGE_CODES
from slackclone.images import replace_image

if TYPE_CHECKING:
    from workspaces.models import Workspace


def check_email(raw: str) -> str:
    """The address, lower-cased, if it is one. Raises invalid_email."""
    email = (raw or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(
            ErrorCode.INVALID_EMAIL,
            "%(raw)s is not an email address.",
            fields={"email": "invalid"},
            params={"raw": f"{raw!r}"},
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
        raise DomainError(
            ErrorCode.EMAIL_TAKEN,
            "An account with %(email)s already exists.",
            fields={"email": "taken"},
            params={"email": email},
        )
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
                said_by_django = " ".join(exc.messages)  # already in the person's language
                raise DomainError(ErrorCode.INVALID_PASSWORD, said_by_django, fields={"password": "weak"}) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise DomainError(
            ErrorCode.EMAIL_TAKEN,
            "An account with %(email)s already exists.",
            fields={"email": "taken"},
            params={"email": email},
        ) from None
    return user


def token_revoke_now(token: ApiToken, *, actor: User | None = None, reason: str = "revoked") -> ApiToken:
    """Revoke a token at once, whoever asked (the callers check that): it authenticates nothing more,
    and the sockets it opened are closed in every process; the user's other sockets stay open.

    `actor` and `reason` are for the audit log (TOKEN_REVOKED): who revoked it (None: the person signed in on
    the request, or the system) and why ("revoked"; "maker_lost_access", "app_rotated", "app_deleted").
    Callers: workspaces.tokens.api_token_revoke (after its checks); api_tokens_revoke_minted_by; slack_apps.
    Events: chat.close (4401, token_revoked) to the sockets the token opened.
    """
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action=AuditAction.TOKEN_REVOKED,
            actor=actor,
            workspace=token.workspace,
            target=token,
            data={"user": token.user.public_id, "prefix": token.prefix, "reason": reason},
        )
        transport.close_sockets(token.user, reason="token_revoked", token_id=token.pk)
    return token


def api_tokens_revoke_minted_by(*, user: User, workspace: Workspace | None = None) -> None:
    """Revoke the bot tokens `user` made (in `workspace`, or anywhere), as token_revoke_now does: a token
    must not outlast its maker's right to make it. Their own tokens are left to their own standing.

    Callers: leaving the admin roles, losing a membership, a deactivated account.
    Events: chat.close (4401, token_revoked) to the sockets those tokens opened.
    """
    minted = ApiToken.objects.filter(created_by=user, revoked_at__isnull=True).exclude(user_id=F("created_by_id"))
    if workspace is not None:
        minted = minted.filter(workspace=workspace)
    for token in minted.select_related("user", "workspace"):
        token_revoke_now(token, reason="maker_lost_access")


PROFILE_TEXT_LIMITS = {"full_name": 120, "display_name": 80, "title": 120}
STATUS_TEXT_MAX_LENGTH = 100


def _announce_user_change(user: User) -> None:
    """Everyone who shares a workspace with the user sees the new profile (user_change)."""
    for membership in user.memberships.filter(is_active=True).select_related("workspace"):
        send_user_change(membership.workspace, user)


def _check_timezone(raw: str) -> str:
    import zoneinfo

    if not isinstance(raw, str) or raw not in zoneinfo.available_timezones():
        raise DomainError(
            ErrorCode.INVALID_TIMEZONE,
            "%(raw)s is not a known time zone (for example Europe/Paris).",
            fields={"timezone": "invalid"},
            params={"raw": f"{raw!r}"},
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
                "%(field)s can be at most %(value)s characters.",
                fields={field: "too_long"},
                params={"field": field, "value": PROFILE_TEXT_LIMITS[field]},
            )
        setattr(user, field, cleaned)
    if changes:
        user.save(update_fields=list(changes))
        _announce_user_change(user)
    return user


@transaction.atomic
def user_set_status(*, actor: User, emoji: str = "", text: str = "", expires_at: datetime | None = None) -> User:
    """Set (or, with empty emoji and text, clear) the actor's custom status, optionally until `expires_at`.

    Callers: any active user, for themselves.
    Raises: invalid_emoji, invalid_arguments (text too long, expiry in the past), account_inactive.
    Events: user_change in each of the user's workspaces.
    """
    if not actor.is_active:
        raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "This account has been deactivated.")
    emoji = check_emoji_name(emoji) if (emoji or "").strip(": ") else ""
    text = (text or "").strip()
    if len(text) > STATUS_TEXT_MAX_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "A status can be at most %(status_text_max_length)s characters.",
            fields={"status_text": "too_long"},
            params={"status_text_max_length": STATUS_TEXT_MAX_LENGTH},
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


def user_set_theme(*, actor: User, theme: str) -> User:
    """Light, dark, or the system's setting, for every page of the actor's.

    Callers: any active user, for themselves. Raises: invalid_arguments (not a theme), account_inactive.
    """
    if not actor.is_active:
        raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "This account has been deactivated.")
    if theme not in Theme.values:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS, "The theme is system, light or dark.", fields={"theme": "invalid"}
        )
    actor.theme = theme
    actor.save(update_fields=["theme"])
    return actor


def user_set_language(*, actor: User, language: str) -> User:
    """The language of every page, email and notification for the actor; "" follows their browser.

    Callers: any active user, for themselves. Raises: invalid_arguments (not a language the site speaks),
    account_inactive.
    """
    if not actor.is_active:
        raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "This account has been deactivated.")
    if language and language not in LANGUAGE_CODES:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "The language is one of: %(value)s, or empty to follow the browser.",
            fields={"language": "invalid"},
            params={"value": ", ".join(sorted(LANGUAGE_CODES))},
        )
    actor.language = language
    actor.save(update_fields=["language"])
    return actor


@transaction.atomic
def user_set_notification_preferences(
    *,
    actor: User,
    email_notifications: bool | None = None,
    dnd_start: time | None = None,
    dnd_end: time | None = None,
    clear_dnd: bool = False,
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
    return user_end_all_sessions(user=actor)


@transaction.atomic
def user_end_all_sessions(*, user: User) -> User:
    """End every session of the user's, in every browser, none kept (the person is not the one asking), and
    close their sockets. API tokens are not sessions: their callers revoke those.

    Callers: services that end a person's access for someone else (SCIM deprovisioning and the LDAP sync, when
    the person has no active workspace left), and user_sign_out_other_sessions. Raises nothing.
    Events: chat.close (4013, session_changed) to the user's sockets; their reconnect fails (4401).
    """
    # Saved (not updated) so the receivers of a re-signed account run: accounts.signals closes the
    # sockets (4013), notifications.access ends the desktop notifications.
    user.session_epoch = F("session_epoch") + 1
    user.save(update_fields=["session_epoch"])
    user.refresh_from_db(fields=["session_epoch"])
    return user


@transaction.atomic
def user_set_email_provisioned(*, user: User, email: str) -> User:
    """Change an account's address to one an identity provider vouches for, which counts as verified.

    Callers: provisioning services (scim.services.users), only for accounts the provisioning itself made and
    that belong to no other workspace: anyone else's address is theirs to change.
    Raises: invalid_email, email_taken. Events: user_change in each of the user's workspaces.
    """
    email = check_email(email)
    if email == user.email:
        return user
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise DomainError(
            ErrorCode.EMAIL_TAKEN,
            "An account with %(email)s already exists.",
            fields={"email": "taken"},
            params={"email": email},
        )
    user.email = email
    user.email_verified_at = timezone.now()
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "email_verified_at"])
    except IntegrityError:
        raise DomainError(
            ErrorCode.EMAIL_TAKEN,
            "An account with %(email)s already exists.",
            fields={"email": "taken"},
            params={"email": email},
        ) from None
    _announce_user_change(user)
    return user
