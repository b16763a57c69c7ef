"""Saved for later: a person keeps messages to come back to (Slack's "Save for later", stars.* in its Web
API), marks them done, or removes them. Only they see their list; each change reaches their own sockets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from chat.permissions import access_channel
from notifications.models import SavedItem
from realtime.event_types import SavedItemChangedEvent
from realtime.transport import publish, user_group
from slackclone.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from accounts.models import User
    from chat.models import Message


def _send_changed(user: User, message: Message, *, saved: bool, done: bool) -> None:
    workspace = message.channel.workspace.public_id
    event: SavedItemChangedEvent = {
        "type": "saved_item_changed",
        "workspace": workspace,
        "channel": message.channel.public_id,
        "ts": message.ts,
        "saved": saved,
        "done": done,
    }
    transaction.on_commit(lambda: publish([user_group(user)], event, workspace=workspace))


def _check_message(actor: User, message: Message) -> None:
    access_channel(actor, message.channel)
    if message.is_deleted:
        raise DomainError(ErrorCode.MESSAGE_NOT_FOUND, "That message has been deleted.")


def saved_add(*, actor: User, message: Message) -> SavedItem:
    """Save a message for later.

    Callers: anyone who can see the message. Raises: channel_not_found, message_not_found,
    already_starred (saved already). Events: saved_item_changed, to the actor's sockets.
    """
    _check_message(actor, message)
    try:
        with transaction.atomic():
            item = SavedItem.objects.create(user=actor, workspace_id=message.channel.workspace_id, message=message)
            _send_changed(actor, message, saved=True, done=False)
    except IntegrityError:
        raise DomainError(ErrorCode.ALREADY_STARRED, "That message is already saved.") from None
    return item


def _own_item(actor: User, message: Message) -> SavedItem:
    item = SavedItem.objects.filter(user=actor, message=message).first()
    if item is None:
        raise DomainError(ErrorCode.NOT_STARRED, "That message is not in your saved items.")
    return item


@transaction.atomic
def saved_remove(*, actor: User, message: Message) -> None:
    """Take a message out of the actor's saved items.

    Callers: the person who saved it. Raises: not_starred. Events: saved_item_changed (saved false).
    """
    _own_item(actor, message).delete()
    _send_changed(actor, message, saved=False, done=False)


@transaction.atomic
def saved_set_done(*, actor: User, message: Message, done: bool) -> SavedItem:
    """Mark a saved message done (it moves to the Completed list), or in progress again.

    Callers: the person who saved it, while they can still see it. Raises: channel_not_found,
    not_starred. Events: saved_item_changed.
    """
    access_channel(actor, message.channel)
    item = _own_item(actor, message)
    item.done_at = timezone.now() if done else None
    item.save(update_fields=["done_at"])
    _send_changed(actor, message, saved=True, done=done)
    return item
