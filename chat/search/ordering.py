"""Newest first, as a keyset: by seq inside one channel, by (created_at, id) across channels.

A cursor names the last message of a page by (channel public id, ts); the next page starts
strictly after that message's position, so pages never overlap or skip, however deep.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from chat.models import Message
from chat.selectors import readable_messages
from slackclone.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from accounts.models import User
    from workspaces.models import Workspace


@dataclass(frozen=True)
class Position:
    """Where a cursor's message sits: its seq, created_at and id (server-side only, never sent out)."""

    seq: int
    created_at: object
    pk: int
    score: float | None = None


def cursor_position(
    *, user: User, workspace: Workspace, is_guest: bool, channel_public_id: str, ts: str, score: float | None = None
) -> Position:
    """Where the message a cursor names sits, among the messages the user may read in the workspace
    (chat.selectors.readable_messages). Raises invalid_arguments, the same for a made-up cursor as for
    one naming another workspace's message, a private channel's the user is not in, or a deleted one.
    """
    readable = readable_messages(user=user, workspace=workspace, is_guest=is_guest)
    row = readable.filter(channel__public_id=channel_public_id, ts=ts).values_list("seq", "created_at", "pk").first()
    if row is None:
        raise DomainError(ErrorCode.INVALID_ARGUMENTS, "That cursor is not valid.", fields={"cursor": "invalid"})
    return Position(seq=row[0], created_at=row[1], pk=row[2], score=score)


def newest_first(messages: QuerySet[Message], *, single_channel: bool) -> QuerySet[Message]:
    return messages.order_by("-seq") if single_channel else messages.order_by("-created_at", "-pk")


def after_position(messages: QuerySet[Message], position: Position, *, single_channel: bool) -> QuerySet[Message]:
    if single_channel:
        return messages.filter(seq__lt=position.seq)
    if connection.vendor == "postgresql":
        # A row comparison, so PostgreSQL walks the (created_at, id) index straight from the cursor.
        return messages.filter(
            RawSQL(
                '("chat_message"."created_at", "chat_message"."id") < (%s, %s)',
                [position.created_at, position.pk],
                output_field=BooleanField(),
            )
        )
    # Elsewhere the ORM spells it out, so datetimes are compared as the backend stores them.
    return messages.filter(
        Q(created_at__lt=position.created_at) | Q(created_at=position.created_at, pk__lt=position.pk)
    )
