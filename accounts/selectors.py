"""Reads of accounts and API tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from accounts.models import ApiToken, User

if TYPE_CHECKING:
    from workspaces.models import Workspace


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


# END
