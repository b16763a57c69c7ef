"""Read receipts: who has seen the last message of a small DM, from the read markers already kept.

A workspace shows them only when its owners turn them on (`Workspace.read_receipts`), only in DMs and
group DMs of up to RECEIPTS_MAX_MEMBERS people, and only for people who send theirs
(`User.send_read_receipts`). Anywhere else there are none: the answer is None, never an empty list
that a client could mistake for "nobody has seen it".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q

from chat.models import Channel, ChannelMember, Message
from workspaces.models import Membership

if TYPE_CHECKING:
    from accounts.models import User

# Past this, "Seen by" stops being about a conversation between people who know each other.
RECEIPTS_MAX_MEMBERS = 10


@dataclass(frozen=True)
class ReadReceipts:
    """`seq` of the last message shown in the conversation (0 when it has none) and the public ids of the
    people who have read up to it, in the order they joined the conversation."""

    seq: int
    seen_by: list[str]


def receipts_enabled_for(channel: Channel) -> bool:
    """The checks that cost no query: a DM or group DM in a workspace that shows receipts."""
    return channel.is_direct and channel.workspace.read_receipts


def last_shown_message(channel: Channel) -> tuple[int, int | None]:
    """(seq, author's key) of the newest message the conversation's view shows: not deleted, and not a
    thread reply unless it was also sent to the conversation. (0, None) when there is none."""
    row = (
        Message.objects.filter(channel=channel, deleted_at__isnull=True)
        .filter(Q(thread_root__isnull=True) | Q(reply_broadcast=True))
        .order_by("-seq")
        .values_list("seq", "author_id")
        .first()
    )
    return (row[0], row[1]) if row else (0, None)


def read_receipts(*, channel: Channel, reader: User | None = None) -> ReadReceipts | None:
    """Who has seen the last message of `channel`, leaving out its author and `reader`; None where the
    workspace shows no receipts (a channel, a DM of more than RECEIPTS_MAX_MEMBERS people, the setting off).

    Only active people who are still active in the workspace and send receipts are named. The caller
    has checked that the reader may see the channel (chat.selectors.channel_get).
    """
    if not receipts_enabled_for(channel):
        return None
    members = list(
        ChannelMember.objects.filter(channel=channel)
        .annotate(
            in_workspace=Exists(
                Membership.objects.filter(user=OuterRef("user"), workspace_id=channel.workspace_id, is_active=True)
            )
        )
        .order_by("joined_at", "pk")
        .values_list(
            "user_id", "user__public_id", "user__is_active", "user__send_read_receipts", "in_workspace", "last_read_seq"
        )[: RECEIPTS_MAX_MEMBERS + 1]
    )
    if len(members) > RECEIPTS_MAX_MEMBERS:
        return None
    seq, author_id = last_shown_message(channel)
    if seq == 0:
        return ReadReceipts(seq=0, seen_by=[])
    skip = {author_id, reader.pk if reader is not None else None}
    seen_by = [
        public_id
        for user_id, public_id, is_active, sends, in_workspace, last_read in members
        if user_id not in skip and is_active and sends and in_workspace and last_read >= seq
    ]
    return ReadReceipts(seq=seq, seen_by=seen_by)
