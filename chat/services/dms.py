"""Direct messages and group DMs: one channel per set of people in a workspace."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from chat import events
from chat.models import Channel, ChannelKind, ChannelMember
from chat.selectors.people import people_view
from slackclone.errors import DomainError, ErrorCode
from slackclone.ids import DM_PREFIX, PRIVATE_CHANNEL_PREFIX, new_public_id
from workspaces.models import Membership, Workspace
from workspaces.permissions import access_membership

if TYPE_CHECKING:
    from accounts.models import User

GROUP_DM_MAX_PEOPLE = 9


def _check_participants(
    workspace: Workspace, actor: User, others: Sequence[User], membership: Membership
) -> list[User]:
    people = list({user.pk: user for user in [actor, *others]}.values())
    if len(people) > GROUP_DM_MAX_PEOPLE:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "A group DM can have at most %(group_dm_max_people)s people, you included.",
            fields={"users": "too_many"},
            params={"group_dm_max_people": GROUP_DM_MAX_PEOPLE},
        )
    # A guest writes only to people they may see (those they share a channel or DM with); to them,
    # anyone else is no more there than someone who is not in the workspace at all. Bots are placed by
    # the server (Slackbot is a guest only to stay out of channels) and write to whom it sends them.
    members = people_view(workspace=workspace, viewer=None if actor.is_bot else membership).members()
    active = set(
        members.filter(user__in=people, is_active=True, user__is_active=True).values_list("user_id", flat=True)
    )
    for user in people:
        if user.pk not in active:
            raise DomainError(
                ErrorCode.USER_NOT_FOUND,
                "%(public_id)s is not an active member of this workspace.",
                fields={"users": user.public_id},
                params={"public_id": user.public_id},
            )
    return people


@transaction.atomic
def dm_open(*, actor: User, workspace: Workspace, users: Sequence[User]) -> tuple[Channel, bool]:
    """Open the DM (one other person, or nobody for a note to self) or group DM with these people.

    Opening the same set twice returns the same channel. Returns (channel, created).
    Callers: any active member with people of the same workspace; a guest only with people they
    share a channel or DM with.
    Raises: user_not_found (someone not active in the workspace, or hidden from a guest),
    invalid_arguments (too many).
    Events: im_created to every participant when the channel is new.
    """
    membership = access_membership(actor, workspace)
    people = _check_participants(workspace, actor, users, membership)
    dm_key = ",".join(sorted(user.public_id for user in people))
    existing = Channel.objects.filter(workspace=workspace, dm_key=dm_key).first()
    if existing is not None:
        return existing, False
    kind = ChannelKind.DM if len(people) <= 2 else ChannelKind.GROUP_DM
    prefix = DM_PREFIX if kind == ChannelKind.DM else PRIVATE_CHANNEL_PREFIX
    channel = Channel(public_id=new_public_id(prefix), workspace=workspace, kind=kind, dm_key=dm_key, created_by=actor)
    try:
        with transaction.atomic():
            channel.save()
    except IntegrityError:
        # Someone opened the same DM at the same moment; theirs is the one.
        return Channel.objects.get(workspace=workspace, dm_key=dm_key), False
    ChannelMember.objects.bulk_create(
        [ChannelMember(channel=channel, user=user, notify_level="all") for user in people]
    )
    events.send_channel_created(channel, people)
    return channel, True
