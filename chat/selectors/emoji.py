"""Reads of a workspace's custom emoji: everyone in the workspace (guests included) sees them all."""

from __future__ import annotations

from django.db.models import QuerySet

from chat.models import CustomEmoji
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Workspace


def custom_emoji(*, workspace: Workspace) -> QuerySet[CustomEmoji]:
    """The workspace's emoji and aliases by name, with who added each. The caller has checked that the
    reader is in the workspace (workspaces.selectors.workspace_get, or a token of that workspace)."""
    return CustomEmoji.objects.filter(workspace=workspace).select_related("created_by").order_by("name")


def emoji_image_get(*, workspace: Workspace, key: str) -> CustomEmoji:
    """The emoji whose stored image is `key` (its file name, as in its URL). The caller has checked that
    the reader is in the workspace. Raises: emoji_not_found (no such image here, or an alias)."""
    emoji = CustomEmoji.objects.filter(workspace=workspace, image=f"emoji/{key}").first()
    if emoji is None:
        raise DomainError(ErrorCode.EMOJI_NOT_FOUND, "No such emoji image.")
    return emoji
