"""Accounts and API tokens: the write path for people and their credentials."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import ApiToken, User, hash_token
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Workspace
from workspaces.permissions import access_membership, access_workspace_admin

TOKEN_LAST_USED_PRECISION_SECONDS = 60


def _check_email(raw: str) -> str:
    email = (raw or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(
            ErrorCode.INVALID_EMAIL, f"{raw!r} is not an email address.", fields={"email": "invalid"}
        ) from None
    return email


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None = None,
    full_name: str = "",
    display_name: str = "",
    is_bot: bool = False,
    is_active: bool = True,
    validate_password_strength: bool = True,
) -> User:
    """Create an account. No password means it cannot log in until one is set (bots, invitees).

    Callers: sign-up, the operator, workspace admins creating bots, imports.
    Raises: invalid_email, email_taken, invalid_password.
    """
    email = _check_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(ErrorCode.EMAIL_TAKEN, f"An account with {email} already exists.", fields={"email": "taken"})
    user = User(
        email=email,
        full_name=(full_name or "").strip()[:120],
        display_name=(display_name or "").strip()[:80],
        is_bot=is_bot,
        is_active=is_active,
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


@transaction.atomic
def api_token_create(*, actor: User | None, user: User, workspace: Workspace, name: str = "") -> tuple[ApiToken, str]:
    """Create an API token acting as `user` in `workspace`; returns the row and the raw token, shown once.

    Slack's prefixes tell the kinds apart: xoxp- for people, xoxb- for bots.
    Callers: a user for themselves; workspace admins for bot users; the operator.
    Raises: workspace_not_found / account_inactive (user not active there), restricted_action.
    """
    if actor is not None and actor.pk != user.pk:
        access_workspace_admin(actor, workspace)
        if not user.is_bot:
            raise DomainError(
                ErrorCode.RESTRICTED_ACTION, "Admins create tokens for bots only; people create their own."
            )
    access_membership(user, workspace)
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
    """Revoke a token at once. Callers: its user; admins of its workspace; the operator."""
    if actor is not None and actor.pk != token.user_id:
        access_workspace_admin(actor, token.workspace)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(raw: str) -> ApiToken:
    """The live token for a raw string, its user active in its workspace; records when it was last used.

    Raises: invalid_auth (unknown or revoked), account_inactive (user or membership deactivated).
    """
    if not isinstance(raw, str) or not raw:
        raise DomainError(ErrorCode.INVALID_AUTH, "Invalid or missing token.")
    token = (
        ApiToken.objects.select_related("user", "workspace")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        raise DomainError(ErrorCode.INVALID_AUTH, "Invalid or revoked token.")
    access_membership(token.user, token.workspace)
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > TOKEN_LAST_USED_PRECISION_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
