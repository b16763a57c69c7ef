"""Reads of accounts and API tokens."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import ApiToken, User
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import ADMIN_ROLES, Membership, Workspace


def _token_not_found() -> DomainError:
    return DomainError(ErrorCode.TOKEN_NOT_FOUND, "Token not found.")


def user_tokens(*, user: User, within: Workspace | None = None) -> QuerySet[ApiToken]:
    """The user's own tokens and the bot tokens they created, newest first; revoked ones included."""
    tokens = (
        ApiToken.objects.filter(Q(user=user) | Q(created_by=user, user__is_bot=True))
        .select_related("user", "workspace")
        .order_by("-created_at", "public_id")
    )
    if within is not None:
        tokens = tokens.filter(workspace=within)
    return tokens


def token_get(*, actor: User, public_id: str, within: Workspace | None = None) -> ApiToken:
    """A token the actor may manage: their own, one they created, or any in a workspace they administer."""
    token = (
        ApiToken.objects.select_related("user", "workspace").filter(public_id=public_id).first()
        if isinstance(public_id, str)
        else None
    )
    if token is None or (within is not None and token.workspace_id != within.pk):
        raise _token_not_found()
    if token.user_id == actor.pk or token.created_by_id == actor.pk:
        return token
    is_admin = Membership.objects.filter(
        user=actor, workspace_id=token.workspace_id, is_active=True, role__in=ADMIN_ROLES
    ).exists()
    if not is_admin:
        raise _token_not_found()
    return token
