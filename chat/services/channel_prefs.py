"""A member's own preferences for one channel: muting it, and what in it notifies them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from chat import events
from chat.models import Channel, ChannelMember, NotifyLevel
from chat.permissions import access_own_channel_member
from slackclone.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def channel_prefs_update(
    *, actor: User, channel: Channel, muted: bool | None = None, notify_level: str | None = None
) -> ChannelMember:
    """Mute or unmute a channel for the actor, or choose what in it notifies them; only what is given changes.

    Muting is Slack's: the channel stays in the sidebar with its unread count, dimmed, and notifies
    only of mentions by name (notifications.rules). `notify_level` is "all" (every message shown in
    the channel), "mentions" (the default: mentions, DMs, threads and broadcasts) or "nothing".
    Callers: members of the channel, for themselves.
    Raises: invalid_arguments (nothing to change, muted not a boolean, an unknown notify_level),
    channel_not_found, not_in_channel, account_inactive.
    Events: channel_prefs_changed to the actor's own clients, when something changed.
    """
    _check_prefs(muted, notify_level)
    own = access_own_channel_member(actor, channel)
    # Locked, so two clients changing different preferences at once each announce what was stored.
    member = ChannelMember.objects.select_for_update().get(pk=own.pk)
    changes: dict[str, bool | str] = {}
    if muted is not None and member.muted != muted:
        changes["muted"] = muted
    if notify_level is not None and member.notify_level != notify_level:
        changes["notify_level"] = notify_level
    if changes:
        for field, value in changes.items():
            setattr(member, field, value)
        member.save(update_fields=list(changes))
        events.send_channel_prefs_changed(channel, actor, muted=member.muted, notify_level=member.notify_level)
    return member


def _check_prefs(muted: bool | None, notify_level: str | None) -> None:
    if muted is None and notify_level is None:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "Give muted, notify_level or both.",
            fields={"muted": "required", "notify_level": "required"},
        )
    if muted is not None and not isinstance(muted, bool):
        raise DomainError(ErrorCode.INVALID_ARGUMENTS, "muted must be true or false.", fields={"muted": "invalid"})
    if notify_level is not None and notify_level not in NotifyLevel.values:
        levels = ", ".join(NotifyLevel.values)
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "notify_level must be one of %(levels)s.",
            fields={"notify_level": "invalid"},
            params={"levels": levels},
        )
