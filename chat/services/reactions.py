"""Reactions and pins: small changes to a message that every viewer sees at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from chat import events, signals
from chat.models import Message, Pin, Reaction
from chat.permissions import access_channel_member, check_not_archived
from chat.selectors.channels import reactions_live_to_viewers_only
from chat.services.locking import stamp_message_change
from chat.text import check_emoji_name
from slackclone.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from accounts.models import User


def _access_live_message(actor: User | None, message: Message) -> None:
    access_channel_member(actor, message.channel)
    if message.is_deleted:
        raise DomainError(ErrorCode.MESSAGE_NOT_FOUND, "That message has been deleted.")
    check_not_archived(message.channel)  # as last read; _stamp_change has the final word


def _stamp_change(message: Message) -> None:
    """Take the channel's lock, last: the change is written, and an archived channel rolls it back."""
    if not stamp_message_change(message.channel, message):
        check_not_archived(message.channel)


@transaction.atomic
def reaction_add(*, actor: User, message: Message, emoji: str) -> Reaction:
    """React to a message with an emoji.

    Callers: members of the message's channel.
    Raises: invalid_emoji, already_reacted, channel_not_found, not_in_channel, message_not_found, is_archived.
    Events: reaction_added (live only to the channel's viewers in a large channel).
    """
    name = check_emoji_name(emoji)
    _access_live_message(actor, message)
    viewers_only = reactions_live_to_viewers_only(channel=message.channel)  # read before the lock, not under it
    try:
        with transaction.atomic():
            reaction = Reaction.objects.create(message=message, user=actor, emoji=name)
    except IntegrityError:
        raise DomainError(
            ErrorCode.ALREADY_REACTED, "You already reacted with :%(name)s:.", params={"name": name}
        ) from None
    _stamp_change(message)
    events.send_reaction(message, user=actor, emoji=name, added=True, viewers_only=viewers_only)
    signals.reaction_changed.send(sender=Message, message=message, user=actor, emoji=name, added=True)
    return reaction


@transaction.atomic
def reaction_remove(*, actor: User, message: Message, emoji: str) -> None:
    """Take back one of your reactions.

    Raises: invalid_emoji, no_reaction, and the access errors. Events: reaction_removed (as reaction_add's).
    """
    name = check_emoji_name(emoji)
    _access_live_message(actor, message)
    viewers_only = reactions_live_to_viewers_only(channel=message.channel)
    deleted, _ = Reaction.objects.filter(message=message, user=actor, emoji=name).delete()
    if not deleted:
        raise DomainError(ErrorCode.NO_REACTION, "You have not reacted with :%(name)s:.", params={"name": name})
    _stamp_change(message)
    events.send_reaction(message, user=actor, emoji=name, added=False, viewers_only=viewers_only)
    signals.reaction_changed.send(sender=Message, message=message, user=actor, emoji=name, added=False)


@transaction.atomic
def pin_add(*, actor: User | None, message: Message) -> Pin:
    """Pin a message to its channel.

    Callers: members of the channel. Raises: already_pinned, and the access errors. Events: pin_added.
    """
    _access_live_message(actor, message)
    try:
        with transaction.atomic():
            pin = Pin.objects.create(message=message, channel=message.channel, pinned_by=actor)
    except IntegrityError:
        raise DomainError(ErrorCode.ALREADY_PINNED, "That message is already pinned.") from None
    _stamp_change(message)
    events.send_pin(message, user=actor, added=True)
    return pin


@transaction.atomic
def pin_remove(*, actor: User | None, message: Message) -> None:
    """Unpin a message. Raises: no_pin, and the access errors. Events: pin_removed."""
    _access_live_message(actor, message)
    deleted, _ = Pin.objects.filter(message=message).delete()
    if not deleted:
        raise DomainError(ErrorCode.NO_PIN, "That message is not pinned.")
    _stamp_change(message)
    events.send_pin(message, user=actor, added=False)
