"""Who may see and change channels and messages. Every service calls these; no surface decides alone.

The rule that shapes everything here: a private channel or DM you are not in does not exist
for you, so every check that fails for it raises channel_not_found, never a permission error.
Guests see only the channels they were invited to.
`actor=None` is the trusted operator at the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from django.db import connection

from chat.models import Channel, ChannelKind, ChannelMember, CustomEmoji, Message
from slackclone.errors import DomainError, ErrorCode
from slackclone.rawsql import Columns, split_row
from workspaces.models import EmojiAddPolicy, Membership, Workspace
from workspaces.permissions import check_membership_standing

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class ChannelAccess:
    """What the actor is to a channel: their workspace membership and channel membership (either may be None)."""

    channel: Channel
    workspace_membership: Membership | None
    channel_member: ChannelMember | None

    @property
    def is_operator(self) -> bool:
        return self.workspace_membership is None

    @property
    def is_admin(self) -> bool:
        return self.workspace_membership is None or self.workspace_membership.is_admin

    @property
    def is_guest(self) -> bool:
        return self.workspace_membership is not None and self.workspace_membership.is_guest


def channel_not_found() -> DomainError:
    return DomainError(ErrorCode.CHANNEL_NOT_FOUND, "Channel not found.")


# A person's standing in a channel, as statements that judge it select it: their workspace membership (under
# the alias m) and their channel membership (cm). chat.selectors.channels reads the same two with the channel.
STANDING_MEMBERSHIP = Columns(Membership, "m")
STANDING_MEMBER = Columns(ChannelMember, "cm")


@cache
def _standing_sql() -> str:
    return f"""
        SELECT {STANDING_MEMBERSHIP.sql}, {STANDING_MEMBER.sql}
        FROM (SELECT 1) AS one
        LEFT JOIN {Membership._meta.db_table} m ON m.workspace_id = %(workspace)s AND m.user_id = %(actor)s
        LEFT JOIN {ChannelMember._meta.db_table} cm ON cm.channel_id = %(channel)s AND cm.user_id = %(actor)s
    """


def access_channel(actor: User | None, channel: Channel) -> ChannelAccess:
    """Fetch the actor's standing in a channel, raising channel_not_found if they may not see it.

    Every service that touches a channel starts here, inside its transaction, so the actor's two
    memberships are read in one statement (slackclone.rawsql) rather than built as two ORM queries.
    """
    if actor is None:
        return ChannelAccess(channel, None, None)
    if not actor.is_active:
        raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "This account has been deactivated.")
    params = {"actor": actor.pk, "workspace": channel.workspace_id, "channel": channel.pk}
    with connection.cursor() as cursor:
        cursor.execute(_standing_sql(), params)
        row = cursor.fetchone()
    membership, member = split_row(row, STANDING_MEMBERSHIP, STANDING_MEMBER)
    if member is not None:
        member.user = actor  # the row it points to: no query to follow it
    return check_channel_access(actor, channel, membership, member)


def check_channel_access(
    actor: User, channel: Channel, membership: Membership | None, member: ChannelMember | None
) -> ChannelAccess:
    """access_channel's rules, for a caller that read the actor's two memberships in its own query.

    Raises channel_not_found (never workspace_not_found, which would tell an outsider that this
    channel id exists somewhere) or account_inactive.
    """
    try:
        check_membership_standing(
            user_is_active=actor.is_active, membership_is_active=None if membership is None else membership.is_active
        )
    except DomainError as error:
        if error.code == ErrorCode.WORKSPACE_NOT_FOUND:
            raise channel_not_found() from None
        raise
    if member is None and (channel.is_private or (membership is not None and membership.is_guest)):
        raise channel_not_found()
    return ChannelAccess(channel, membership, member)


def access_channel_member(actor: User | None, channel: Channel) -> ChannelAccess:
    """As access_channel, and the actor must be in the channel (the operator always passes)."""
    access = access_channel(actor, channel)
    if not access.is_operator and access.channel_member is None:
        raise not_in_channel()
    return access


def access_own_channel_member(actor: User, channel: Channel) -> ChannelMember:
    """A person's own row in a channel they are in: as access_channel_member, for callers that need the row."""
    member = access_channel(actor, channel).channel_member
    if member is None:
        raise not_in_channel()
    return member


def not_in_channel() -> DomainError:
    return DomainError(ErrorCode.NOT_IN_CHANNEL, "You are not a member of this channel.")


def check_not_archived(channel: Channel) -> None:
    if channel.is_archived:
        raise DomainError(ErrorCode.IS_ARCHIVED, "This channel is archived; unarchive it first.")


def check_named_channel(channel: Channel, action: str) -> None:
    if channel.kind not in (ChannelKind.PUBLIC, ChannelKind.PRIVATE):
        raise DomainError(
            ErrorCode.UNSUPPORTED_FOR_CHANNEL_TYPE, "You cannot %(action)s a direct message.", params={"action": action}
        )


def check_not_guest(access: ChannelAccess, action: str) -> None:
    if access.is_guest:
        raise DomainError(ErrorCode.RESTRICTED_ACTION, "Guests cannot %(action)s.", params={"action": action})


def check_can_moderate(access: ChannelAccess, action: str) -> None:
    """Removing members is for workspace admins and the channel's creator."""
    if access.is_admin:
        return
    membership = access.workspace_membership
    if (
        access.channel_member is not None
        and membership is not None
        and access.channel.created_by_id == membership.user_id
    ):
        return
    raise DomainError(
        ErrorCode.RESTRICTED_ACTION,
        "Only workspace admins and the channel's creator can %(action)s.",
        params={"action": action},
    )


def check_can_edit_message(actor: User | None, message: Message) -> None:
    if actor is None or message.author_id != actor.pk:
        raise DomainError(ErrorCode.CANT_UPDATE_MESSAGE, "Only the author can edit a message.")
    if message.is_deleted:
        raise DomainError(ErrorCode.MESSAGE_NOT_FOUND, "That message has been deleted.")


def check_can_delete_message(access: ChannelAccess, actor: User | None, message: Message) -> None:
    if actor is not None and message.author_id == actor.pk:
        return
    if access.is_admin:
        return
    raise DomainError(ErrorCode.CANT_DELETE_MESSAGE, "Only the author or a workspace admin can delete this message.")


# --- Custom emoji ----------------------------------------------------------------------
# A workspace's emoji are everyone's there: every member and guest sees them. `membership` None is the
# operator (workspaces.permissions.access_membership gives the others').


def can_add_emoji(membership: Membership | None, workspace: Workspace) -> bool:
    """Members may add custom emoji unless the workspace keeps that to owners and admins; guests never may."""
    if membership is None or membership.is_admin:
        return True
    return not membership.is_guest and workspace.emoji_add_policy == EmojiAddPolicy.EVERYONE


def check_can_add_emoji(membership: Membership | None, workspace: Workspace) -> None:
    if can_add_emoji(membership, workspace):
        return
    if membership is not None and membership.is_guest:
        raise DomainError(ErrorCode.RESTRICTED_ACTION, "Guests cannot add custom emoji.")
    raise DomainError(ErrorCode.RESTRICTED_ACTION, "Only workspace owners and admins can add custom emoji here.")


def can_remove_emoji(membership: Membership | None, emoji: CustomEmoji) -> bool:
    """Owners and admins remove any custom emoji; members only one they added."""
    if membership is None or membership.is_admin:
        return True
    return not membership.is_guest and emoji.created_by_id == membership.user_id


def check_can_remove_emoji(membership: Membership | None, emoji: CustomEmoji) -> None:
    if not can_remove_emoji(membership, emoji):
        raise DomainError(
            ErrorCode.RESTRICTED_ACTION, "Only the person who added an emoji, or an owner or admin, can remove it."
        )
