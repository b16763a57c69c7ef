"""Creating channels and changing who is in them and what they are called."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from django.db import IntegrityError, transaction

from chat import events, signals
from chat.models import Channel, ChannelKind, ChannelMember
from chat.permissions import (
    ChannelAccess,
    access_channel,
    access_channel_member,
    access_own_channel_member,
    check_can_moderate,
    check_named_channel,
    check_not_archived,
    check_not_guest,
)
from chat.text import check_channel_name
from slackclone.errors import DomainError, ErrorCode
from slackclone.ids import PRIVATE_CHANNEL_PREFIX, PUBLIC_CHANNEL_PREFIX, new_public_id
from workspaces.models import Membership, Workspace
from workspaces.permissions import access_membership

if TYPE_CHECKING:
    from accounts.models import User

TOPIC_MAX_LENGTH = 250


def _name_taken(name: str) -> DomainError:
    return DomainError(
        ErrorCode.NAME_TAKEN,
        "A channel named #%(name)s already exists.",
        fields={"name": "taken"},
        params={"name": name},
    )


@transaction.atomic
def channel_create(
    *,
    actor: User | None,
    workspace: Workspace,
    name: str,
    is_private: bool = False,
    topic: str = "",
    purpose: str = "",
    is_general: bool = False,
) -> Channel:
    """Create a public or private channel; the creator becomes its first member.

    Callers: any non-guest member; the operator (actor=None) for commands and set-up.
    Raises: invalid_name, name_taken, restricted_action (guests), workspace_not_found.
    Events: channel_created (workspace for public, creator for private), channel_joined.
    """
    if actor is not None:
        membership = access_membership(actor, workspace)
        if membership.is_guest:
            raise DomainError(ErrorCode.RESTRICTED_ACTION, "Guests cannot create channels.")
    name = check_channel_name(name)
    topic, purpose = _check_channel_text(topic, "topic"), _check_channel_text(purpose, "purpose")
    if Channel.objects.filter(workspace=workspace, name=name).exists():
        raise _name_taken(name)
    kind = ChannelKind.PRIVATE if is_private else ChannelKind.PUBLIC
    prefix = PRIVATE_CHANNEL_PREFIX if is_private else PUBLIC_CHANNEL_PREFIX
    channel = Channel(
        public_id=new_public_id(prefix),
        workspace=workspace,
        kind=kind,
        name=name,
        topic=topic,
        purpose=purpose,
        created_by=actor,
        is_general=is_general,
    )
    try:
        with transaction.atomic():
            channel.save()
    except IntegrityError:
        raise _name_taken(name) from None
    members = [actor] if actor is not None else []
    ChannelMember.objects.bulk_create([ChannelMember(channel=channel, user=user) for user in members])
    events.send_channel_created(channel, members)
    signals.channel_created.send(sender=Channel, channel=channel)
    return channel


@transaction.atomic
def channel_join(*, actor: User, channel: Channel) -> ChannelMember:
    """Join a public channel. Joining one you are already in returns your membership.

    Callers: non-guest members of the workspace.
    Raises: channel_not_found (private, or guest), is_archived, restricted_action (guests),
    method_not_supported_for_channel_type (DMs).
    Events: member_joined_channel, channel_joined.
    """
    access = access_channel(actor, channel)
    if access.channel_member is not None:
        return access.channel_member
    check_named_channel(channel, "join")
    check_not_archived(channel)
    check_not_guest(access, "join channels by themselves; ask to be invited")
    member = ChannelMember.objects.create(channel=channel, user=actor, last_read_seq=channel.last_seq)
    events.send_member_joined(channel, actor, inviter=None)
    signals.member_joined.send(sender=Channel, channel=channel, user=actor, inviter=None)
    return member


@transaction.atomic
def channel_leave(*, actor: User, channel: Channel) -> None:
    """Leave a channel. You cannot leave #general, an archived channel or a DM.

    Raises: channel_not_found, not_in_channel, cant_leave_general, is_archived,
    method_not_supported_for_channel_type.
    Events: member_left_channel, channel_left; the user's sockets unsubscribe.
    """
    member = access_own_channel_member(actor, channel)
    check_named_channel(channel, "leave")
    if channel.is_general:
        raise DomainError(ErrorCode.CANT_LEAVE_GENERAL, "Everyone stays in #general.")
    check_not_archived(channel)
    member.delete()
    events.send_member_left(channel, actor)
    signals.member_left.send(sender=Channel, channel=channel, user=actor)


def _workspace_members(workspace: Workspace, users: Sequence[User]) -> dict[int, Membership]:
    memberships = {m.user_id: m for m in Membership.objects.filter(workspace=workspace, user__in=users, is_active=True)}
    for user in users:
        if user.pk not in memberships or not user.is_active:
            raise DomainError(
                ErrorCode.USER_NOT_FOUND,
                "%(public_id)s is not an active member of this workspace.",
                fields={"users": user.public_id},
                params={"public_id": user.public_id},
            )
    return memberships


@transaction.atomic
def channel_invite(*, actor: User | None, channel: Channel, users: Sequence[User]) -> list[ChannelMember]:
    """Add people to a channel; those already in it are left as they are.

    Callers: non-guest members of the channel; the operator.
    Raises: channel_not_found, not_in_channel, is_archived, restricted_action (guests),
    user_not_found (someone not active in the workspace), invalid_arguments (nobody given),
    method_not_supported_for_channel_type. Nothing is written if any invitee is refused.
    Events: member_joined_channel and channel_joined for each new member.
    """
    if not users:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS, "Name at least one person to invite.", fields={"users": "required"}
        )
    access = access_channel_member(actor, channel)
    check_named_channel(channel, "invite people to")
    check_not_archived(channel)
    check_not_guest(access, "invite people to channels")
    _workspace_members(channel.workspace, users)
    existing = set(ChannelMember.objects.filter(channel=channel, user__in=users).values_list("user_id", flat=True))
    new_users = [user for user in dict.fromkeys(users) if user.pk not in existing]
    created = ChannelMember.objects.bulk_create(
        [ChannelMember(channel=channel, user=user, last_read_seq=channel.last_seq) for user in new_users]
    )
    for user in new_users:
        events.send_member_joined(channel, user, inviter=actor)
        signals.member_joined.send(sender=Channel, channel=channel, user=user, inviter=actor)
    return created


@transaction.atomic
def channel_kick(*, actor: User | None, channel: Channel, user: User) -> None:
    """Remove someone from a channel; they stop receiving it at once.

    Callers: workspace admins and the channel's creator; the operator.
    Raises: channel_not_found, not_in_channel (actor or target), restricted_action,
    cant_kick_self, cant_leave_general (#general), method_not_supported_for_channel_type.
    Events: member_left_channel, channel_left; the user's sockets unsubscribe.
    """
    access = access_channel_member(actor, channel)
    check_named_channel(channel, "remove people from")
    if actor is not None and actor.pk == user.pk:
        raise DomainError(ErrorCode.CANT_KICK_SELF, "Use leave to remove yourself from a channel.")
    if channel.is_general:
        raise DomainError(ErrorCode.CANT_LEAVE_GENERAL, "Nobody can be removed from #general.")
    check_can_moderate(access, "remove people from this channel")
    deleted, _ = ChannelMember.objects.filter(channel=channel, user=user).delete()
    if not deleted:
        raise DomainError(
            ErrorCode.NOT_IN_CHANNEL,
            "%(public_id)s is not in this channel.",
            fields={"user": "not_in_channel"},
            params={"public_id": user.public_id},
        )
    events.send_member_left(channel, user)
    signals.member_left.send(sender=Channel, channel=channel, user=user)


def _access_for_channel_change(actor: User | None, channel: Channel, action: str) -> ChannelAccess:
    access = access_channel_member(actor, channel)
    check_named_channel(channel, action)
    check_not_guest(access, f"{action} channels")
    return access


@transaction.atomic
def channel_archive(*, actor: User | None, channel: Channel) -> Channel:
    """Archive a channel: it stays readable and searchable but nobody can post.

    Callers: non-guest members of the channel; the operator.
    Raises: channel_not_found, not_in_channel, restricted_action, is_archived,
    cant_archive_general, method_not_supported_for_channel_type.
    Events: channel_archive.
    """
    _access_for_channel_change(actor, channel, "archive")
    if channel.is_general:
        raise DomainError(ErrorCode.CANT_ARCHIVE_GENERAL, "#general cannot be archived.")
    check_not_archived(channel)
    Channel.objects.filter(pk=channel.pk).update(is_archived=True)
    channel.is_archived = True
    events.send_channel_archived(channel, user=actor, archived=True)
    return channel


@transaction.atomic
def channel_unarchive(*, actor: User | None, channel: Channel) -> Channel:
    """Bring an archived channel back. Raises: as channel_archive, and not_archived. Events: channel_unarchive."""
    _access_for_channel_change(actor, channel, "unarchive")
    if not channel.is_archived:
        raise DomainError(ErrorCode.NOT_ARCHIVED, "This channel is not archived.")
    Channel.objects.filter(pk=channel.pk).update(is_archived=False)
    channel.is_archived = False
    events.send_channel_archived(channel, user=actor, archived=False)
    return channel


@transaction.atomic
def channel_rename(*, actor: User | None, channel: Channel, name: str) -> Channel:
    """Rename a channel.

    Raises: invalid_name, name_taken, is_archived, and the access errors. Events: channel_rename.
    """
    _access_for_channel_change(actor, channel, "rename")
    check_not_archived(channel)
    name = check_channel_name(name)
    if name == channel.name:
        return channel
    if Channel.objects.filter(workspace_id=channel.workspace_id, name=name).exclude(pk=channel.pk).exists():
        raise _name_taken(name)
    try:
        with transaction.atomic():
            Channel.objects.filter(pk=channel.pk).update(name=name)
    except IntegrityError:
        raise _name_taken(name) from None
    channel.name = name
    events.send_channel_renamed(channel)
    return channel


def _check_channel_text(value: str | None, field: str) -> str:
    cleaned = (value or "").strip()
    if len(cleaned) > TOPIC_MAX_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "A channel %(field)s can be at most %(topic_max_length)s characters.",
            fields={field: "too_long"},
            params={"field": field, "topic_max_length": TOPIC_MAX_LENGTH},
        )
    return cleaned


def _set_channel_text(actor: User | None, channel: Channel, field: Literal["topic", "purpose"], value: str) -> Channel:
    access = access_channel(actor, channel)
    if access.channel_member is None and not access.is_operator:
        raise DomainError(ErrorCode.NOT_IN_CHANNEL, "You are not a member of this channel.")
    check_not_archived(channel)
    cleaned = _check_channel_text(value, field)
    changes: dict[str, str] = {field: cleaned}
    Channel.objects.filter(pk=channel.pk).update(**changes)
    setattr(channel, field, cleaned)
    events.send_channel_text_changed(channel, user=actor, field=field)
    return channel


@transaction.atomic
def channel_set_topic(*, actor: User | None, channel: Channel, topic: str) -> Channel:
    """Set the topic (at most 250 characters). Callers: channel members. Events: channel_topic."""
    return _set_channel_text(actor, channel, "topic", topic)


@transaction.atomic
def channel_set_purpose(*, actor: User | None, channel: Channel, purpose: str) -> Channel:
    """Set the purpose (at most 250 characters). Callers: channel members. Events: channel_purpose."""
    return _set_channel_text(actor, channel, "purpose", purpose)


@transaction.atomic
def channel_update(
    *,
    actor: User | None,
    channel: Channel,
    name: str | None = None,
    topic: str | None = None,
    purpose: str | None = None,
) -> Channel:
    """Change any of a channel's name, topic and purpose at once: all of them or, on any error, none.

    Callers: as channel_rename for the name, channel members for topic and purpose.
    Raises: what channel_rename, channel_set_topic and channel_set_purpose raise.
    Events: channel_rename (when the name changes), channel_topic, channel_purpose.
    """
    if name is not None:
        channel_rename(actor=actor, channel=channel, name=name)
    if topic is not None:
        channel_set_topic(actor=actor, channel=channel, topic=topic)
    if purpose is not None:
        channel_set_purpose(actor=actor, channel=channel, purpose=purpose)
    if name is None and topic is None and purpose is None:
        access_channel(actor, channel)
    return channel
