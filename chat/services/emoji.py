"""Custom emoji: a workspace's own pictures under names people type, and aliases for them.

Everyone in a workspace sees its emoji (messages, reactions, the picker); who may add them is the
workspace's choice (Workspace.emoji_add_policy), and owners and admins may remove any. A name is
unique in its workspace and never a standard emoji's, so :thumbsup: means the same picture to all.
Removing an emoji removes its aliases with it; reactions and messages that name it keep the name
and show it as text, as Slack does.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from chat import events, signals
from chat.models import CustomEmoji
from chat.permissions import check_can_add_emoji, check_can_remove_emoji
from slackclone.emoji import check_emoji_name
from slackclone.errors import DomainError, ErrorCode
from slackclone.images import emoji_image
from slackclone.standard_emoji import STANDARD_EMOJI_NAMES
from workspaces.models import Membership, Workspace
from workspaces.permissions import access_membership

if TYPE_CHECKING:
    from accounts.models import User
    from realtime.event_types import EmojiChangedEvent

CUSTOM_EMOJI_NAME_RE = re.compile(r"[a-z0-9_-]{1,100}")
SKIN_TONE_RE = re.compile(r"skin-tone-[1-6]")


def check_custom_emoji_name(raw: str) -> str:
    """A name for a new emoji: lower-case letters, digits, `-` and `_`, at most 100; colons are dropped.

    Raises: invalid_name (another shape), name_taken (a standard emoji's name).
    """
    name = (raw or "").strip().strip(":").lower()
    if not CUSTOM_EMOJI_NAME_RE.fullmatch(name):
        raise DomainError(
            ErrorCode.INVALID_NAME,
            "Emoji names use lower-case letters, digits, hyphens and underscores (at most 100).",
            fields={"name": "invalid"},
        )
    if name in STANDARD_EMOJI_NAMES or SKIN_TONE_RE.fullmatch(name):
        raise DomainError(
            ErrorCode.NAME_TAKEN,
            ":%(name)s: is a standard emoji; choose another name.",
            fields={"name": "taken"},
            params={"name": name},
        )
    return name


def _membership(actor: User | None, workspace: Workspace) -> Membership | None:
    return None if actor is None else access_membership(actor, workspace)


def _lock(workspace: Workspace) -> None:
    """Serialise changes to one workspace's emoji, so an alias never outlives the emoji it names."""
    Workspace.objects.select_for_update().filter(pk=workspace.pk).values_list("pk", flat=True).first()


def _check_name_free(workspace: Workspace, name: str) -> None:
    if CustomEmoji.objects.filter(workspace=workspace, name=name).exists():
        raise _name_taken(name)


def _announce(workspace: Workspace, event: EmojiChangedEvent) -> None:
    """Apps subscribed to emoji_changed hear it too (slack_apps.outbox, in this transaction)."""
    signals.emoji_changed.send(sender=CustomEmoji, workspace=workspace, event=event)


def _name_taken(name: str) -> DomainError:
    return DomainError(
        ErrorCode.NAME_TAKEN,
        "There is already an emoji named :%(name)s:.",
        fields={"name": "taken"},
        params={"name": name},
    )


@transaction.atomic
def emoji_add(*, actor: User | None, workspace: Workspace, name: str, image: UploadedFile) -> CustomEmoji:
    """Add a custom emoji from an uploaded image (PNG, JPEG, GIF or WebP; an animated GIF stays animated),
    stored scaled to at most 128 pixels a side (slackclone.images.emoji_image).

    Callers: members of the workspace, or only its owners and admins when emoji_add_policy says so
    (never guests); the operator (actor None: the Slack import).
    Raises: workspace_not_found, account_inactive, restricted_action, invalid_name, name_taken,
    file_too_large, invalid_file. A refusal stores nothing.
    Events: emoji_changed (add), to clients and subscribed apps.
    """
    check_can_add_emoji(_membership(actor, workspace), workspace)
    name = check_custom_emoji_name(name)
    _lock(workspace)
    _check_name_free(workspace, name)
    made = emoji_image(image)
    emoji = CustomEmoji(workspace=workspace, name=name, content_type=made.content_type, created_by=actor)
    emoji.image.save(made.content.name or "emoji.png", made.content, save=False)
    try:
        with transaction.atomic():
            emoji.save()
    except BaseException as error:
        emoji.image.storage.delete(emoji.image.name)
        if isinstance(error, IntegrityError):
            raise _name_taken(name) from None
        raise
    _announce(workspace, events.send_emoji_added(emoji))
    return emoji


@transaction.atomic
def emoji_alias(*, actor: User | None, workspace: Workspace, name: str, alias_for: str) -> CustomEmoji:
    """Add another name for an emoji: one of the workspace's (an alias of an alias names the original)
    or a standard one.

    Callers: as emoji_add.
    Raises: workspace_not_found, account_inactive, restricted_action, invalid_name, name_taken,
    invalid_emoji (alias_for is not an emoji name), emoji_not_found (no such emoji).
    Events: emoji_changed (add, with the value `alias:<original>`).
    """
    check_can_add_emoji(_membership(actor, workspace), workspace)
    name = check_custom_emoji_name(name)
    target = check_emoji_name(alias_for).split("::", 1)[0]
    _lock(workspace)
    _check_name_free(workspace, name)
    if target not in STANDARD_EMOJI_NAMES:
        original = CustomEmoji.objects.filter(workspace=workspace, name=target).first()
        if original is None:
            raise DomainError(
                ErrorCode.EMOJI_NOT_FOUND,
                "There is no emoji :%(target)s: to alias.",
                fields={"alias_for": "not_found"},
                params={"target": target},
            )
        target = original.alias_for or original.name
    emoji = CustomEmoji.objects.create(workspace=workspace, name=name, alias_for=target, created_by=actor)
    _announce(workspace, events.send_emoji_added(emoji))
    return emoji


@transaction.atomic
def emoji_remove(*, actor: User | None, workspace: Workspace, name: str) -> list[str]:
    """Remove a custom emoji, and its aliases with it; returns the names removed (the emoji's first).

    Callers: workspace owners and admins, any emoji; a member, one they added; the operator.
    Raises: workspace_not_found, account_inactive, emoji_not_found, restricted_action.
    Events: emoji_changed (remove, with every name removed).
    """
    membership = _membership(actor, workspace)
    _lock(workspace)
    emoji = CustomEmoji.objects.filter(workspace=workspace, name=(name or "").strip(":").lower()).first()
    if emoji is None:
        raise DomainError(ErrorCode.EMOJI_NOT_FOUND, "There is no custom emoji :%(name)s:.", params={"name": name})
    check_can_remove_emoji(membership, emoji)
    aliases = [] if emoji.is_alias else list(CustomEmoji.objects.filter(workspace=workspace, alias_for=emoji.name))
    names = [emoji.name, *(alias.name for alias in aliases)]
    CustomEmoji.objects.filter(pk__in=[emoji.pk, *(alias.pk for alias in aliases)]).delete()
    if emoji.image:
        storage, stored = emoji.image.storage, emoji.image.name
        transaction.on_commit(lambda: storage.delete(stored), robust=True)
    _announce(workspace, events.send_emoji_removed(workspace, names, at=timezone.now()))
    return names
