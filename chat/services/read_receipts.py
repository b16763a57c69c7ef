"""Read receipts: telling a small DM's members who has seen its last message, and each person's choice
whether to send theirs. Who is named is chat.selectors.read_receipts's rule; this module decides when
the members hear it again (read_receipts_changed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from chat import events
from chat.models import DIRECT_KINDS, Channel
from chat.selectors.read_receipts import last_shown_message, read_receipts, receipts_enabled_for
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Membership

if TYPE_CHECKING:
    from accounts.models import User


def announce_read_receipts(channel: Channel) -> None:
    """Send the conversation's members its receipts as they are now (nothing where it has none)."""
    receipts = read_receipts(channel=channel)
    if receipts is not None:
        events.send_read_receipts_changed(channel, seq=receipts.seq, seen_by=receipts.seen_by)


def read_marker_moved(*, channel: Channel, actor: User, previous_seq: int, seq: int) -> None:
    """After the actor's read marker moved in `channel` (inside the move's transaction): the members hear
    of it only when it changes whether the actor has seen the last message, and only when the actor
    sends receipts and the workspace shows them."""
    if not (actor.send_read_receipts and receipts_enabled_for(channel)):
        return
    last_seq, author_id = last_shown_message(channel)
    if last_seq == 0 or author_id == actor.pk or (previous_seq >= last_seq) == (seq >= last_seq):
        return
    announce_read_receipts(channel)


@transaction.atomic
def user_set_send_read_receipts(*, actor: User, enabled: bool) -> User:
    """Whether others see that the actor has read their DMs (in workspaces that show read receipts).

    The person's choice lives on their account (accounts' User.send_read_receipts); it is set here
    because turning it off or on must reach the members of their DMs at once.
    Callers: any active user, for themselves.
    Raises: invalid_arguments (not true or false), account_inactive.
    Events: read_receipts_changed to each of the actor's DMs where the workspace shows receipts.
    """
    if not actor.is_active:
        raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "This account has been deactivated.")
    if not isinstance(enabled, bool):
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "send_read_receipts is true or false.",
            fields={"send_read_receipts": "invalid"},
        )
    if actor.send_read_receipts == enabled:
        return actor
    actor.send_read_receipts = enabled
    actor.save(update_fields=["send_read_receipts"])
    for channel in _conversations_with_receipts(actor):
        announce_read_receipts(channel)
    return actor


def _conversations_with_receipts(user: User) -> list[Channel]:
    """The user's DMs and group DMs in the workspaces they are active in that show read receipts."""
    workspaces = Membership.objects.filter(user=user, is_active=True, workspace__read_receipts=True).values(
        "workspace_id"
    )
    return list(
        Channel.objects.filter(memberships__user=user, kind__in=DIRECT_KINDS, workspace_id__in=workspaces)
        .select_related("workspace")
        .order_by("pk")
    )
