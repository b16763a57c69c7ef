"""The notifications inbox: marking notifications read.

A notification is also read once its channel is read past it (selectors.py); marking it read
here does not move the channel's read marker, as reading an alert is not reading the channel.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from notifications.models import Notification
from slackclone.errors import DomainError, ErrorCode
from workspaces.permissions import access_membership

if TYPE_CHECKING:
    from accounts.models import User
    from chat.models import Message
    from workspaces.models import Workspace


@transaction.atomic
def notification_mark_read(
    *, actor: User, workspace: Workspace, message: Message | None = None, now: datetime | None = None
) -> int:
    """Mark the actor's notification about `message` read, or all of theirs in the workspace when no message is given.

    Returns how many were unread. Marking a read one again is not an error (it returns 0).
    Callers: the notification's recipient. Raises: notification_not_found (no notification of
    theirs about that message), account_inactive, workspace_not_found.
    """
    access_membership(actor, workspace)
    mine = Notification.objects.filter(user=actor, workspace=workspace)
    if message is not None:
        mine = mine.filter(message=message)
        if not mine.exists():
            raise DomainError(ErrorCode.NOTIFICATION_NOT_FOUND, "You have no notification about that message.")
    return mine.filter(read_at__isnull=True).update(read_at=now or timezone.now())
