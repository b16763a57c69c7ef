"""Reminders: "remind me about this message in 20 minutes", "at 9:00 tomorrow" (in the person's time zone).

A reminder is delivered as a direct message from Slackbot, a system bot account, through
chat.services.message_post: so it lands in the person's DMs, counts as unread, notifies them
like any DM (a real-time alert, or a missed-message email if they are away), and survives as
history. Delivery is the same locked state machine as scheduled messages (see scheduled.py):
exactly once, however many workers and sweeps race for it.

Slackbot is one account for the whole site, added to each workspace as a guest the first time
it reminds someone there: guests join no channel, so it appears only in the DMs it opens.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from accounts.models import BotKind, User
from accounts.services import user_create
from chat.models import Message
from chat.permissions import access_channel
from chat.services import dm_open, message_post
from notifications import enqueue
from notifications.models import DeliveryState, Reminder
from notifications.reminder_times import parse_when
from notifications.services.scheduled import check_send_time, eta_horizon
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Membership, Role
from workspaces.permissions import access_membership
from workspaces.services import member_add

if TYPE_CHECKING:
    from workspaces.models import Workspace

SLACKBOT_EMAIL = "slackbot@slackclone.invalid"
REMINDER_TEXT_MAX = 1000
QUOTE_CHARS = 300


def slackbot(workspace: Workspace) -> User:
    """The system bot, created once and added to `workspace` (as a guest) on first use."""
    bot = User.objects.filter(email=SLACKBOT_EMAIL).first()
    if bot is None:
        try:
            bot = user_create(email=SLACKBOT_EMAIL, full_name="Slackbot", display_name="Slackbot", is_bot=True)
            bot.bot_kind = BotKind.SYSTEM  # no one may hold a token for it: its DMs quote what it reminds
            bot.save(update_fields=["bot_kind"])
        except DomainError as error:  # created by a concurrent delivery
            if error.code != ErrorCode.EMAIL_TAKEN:
                raise
            bot = User.objects.get(email=SLACKBOT_EMAIL)
    if not Membership.objects.filter(user=bot, workspace=workspace).exists():
        member_add(actor=None, workspace=workspace, user=bot, role=Role.GUEST)
    return bot


def _check_text(text: str, message: Message | None) -> str:
    text = (text or "").strip()
    if not text and message is None:
        raise DomainError(ErrorCode.NO_TEXT, "Say what to remind you about.", fields={"text": "required"})
    if len(text) > REMINDER_TEXT_MAX:
        raise DomainError(
            ErrorCode.MSG_TOO_LONG,
            "Reminders can be at most %(reminder_text_max)s characters.",
            fields={"text": "too_long"},
            params={"reminder_text_max": REMINDER_TEXT_MAX},
        )
    return text


@transaction.atomic
def reminder_create(
    *,
    actor: User,
    workspace: Workspace,
    text: str = "",
    message: Message | None = None,
    when: str | None = None,
    remind_at: datetime | None = None,
    now: datetime | None = None,
) -> Reminder:
    """Remind the actor of `text`, or of a message they can see, at `remind_at` or at the time `when` says.

    Callers: any active member of the workspace, for themselves.
    Raises: no_text (neither text nor message), msg_too_long, invalid_time, time_in_past,
    time_too_far, invalid_arguments (neither or both of when and remind_at), channel_not_found
    (a message they cannot see), account_inactive.
    """
    now = now or timezone.now()
    access_membership(actor, workspace)
    if message is not None:
        if message.channel.workspace_id != workspace.pk or message.is_deleted:
            raise DomainError(ErrorCode.MESSAGE_NOT_FOUND, "Message not found.")
        access_channel(actor, message.channel)
    text = _check_text(text, message)
    if (when is None) == (remind_at is None):
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS, "Give either `when` or `remind_at`.", fields={"when": "required"}
        )
    if when is not None:
        remind_at = parse_when(when, timezone_name=actor.timezone, now=now)
    remind_at = check_send_time(remind_at, now=now, field="when" if when is not None else "remind_at")
    reminder = Reminder.objects.create(
        workspace=workspace, user=actor, text=text, message=message, remind_at=remind_at, created_at=now
    )
    if remind_at - now <= eta_horizon():
        enqueue.deliver_reminder_at(reminder.pk, remind_at)
    return reminder


@transaction.atomic
def reminder_cancel(*, actor: User | None, reminder: Reminder) -> None:
    """Cancel a reminder that has not fired yet.

    Callers: its owner; the operator (actor None: the admin).
    Raises: reminder_not_found (not theirs, already delivered or cancelled).
    """
    rows = Reminder.objects.select_for_update().filter(pk=reminder.pk)
    locked = (rows if actor is None else rows.filter(user=actor)).first()
    if locked is None or locked.state != DeliveryState.PENDING:
        raise DomainError(ErrorCode.REMINDER_NOT_FOUND, "That reminder is not pending.")
    locked.state = DeliveryState.CANCELLED
    locked.save(update_fields=["state"])


def _can_still_see(user: User, message: Message) -> bool:
    try:
        access_channel(user, message.channel)
    except DomainError:
        return False
    return True


def reminder_message_text(reminder: Reminder) -> str:
    """What Slackbot says: the reminder, and for a message its author, place and first lines.

    A message the person can no longer see (deleted, or in a channel they have left) is not quoted.
    """
    message = reminder.message
    if message is None or message.is_deleted or not _can_still_see(reminder.user, message):
        return f"Reminder: {reminder.text}" if reminder.text else "Reminder: a message you can no longer see."
    channel = message.channel
    where = f" in <#{channel.public_id}>" if channel.name else ""
    quoted = "\n".join("> " + line for line in message.text[:QUOTE_CHARS].splitlines() or [""])
    head = f"Reminder: {reminder.text}\n" if reminder.text else "Reminder: "
    return f"{head}a message from <@{message.author.public_id}>{where} (ts {message.ts}):\n{quoted}"


def reminder_deliver(*, reminder_id: int, now: datetime | None = None) -> Reminder | None:
    """Slackbot DMs the person their due reminder, exactly once.

    Returns the row as left (sent, or failed with an error code: say the person was deactivated),
    or None when there is nothing to do (not due, not pending, or being delivered elsewhere).
    Callers: notifications.tasks (the eta task and the beat sweep).
    Events: those of dm_open and message_post.
    """
    now = now or timezone.now()
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user", "workspace", "message__channel", "message__author")
            .filter(pk=reminder_id, state=DeliveryState.PENDING, remind_at__lte=now)
            .first()
        )
        if reminder is None:
            return None
        try:
            with transaction.atomic():
                bot = slackbot(reminder.workspace)
                channel, _ = dm_open(actor=bot, workspace=reminder.workspace, users=[reminder.user])
                posted = message_post(
                    sender=bot,
                    channel=channel,
                    text=reminder_message_text(reminder),
                    client_msg_id=reminder.client_msg_id,
                )
        except DomainError as error:
            reminder.state, reminder.error_code = DeliveryState.FAILED, error.code.value
            reminder.save(update_fields=["state", "error_code"])
            return reminder
        reminder.state, reminder.delivered_at, reminder.delivered_message = DeliveryState.SENT, now, posted
        reminder.save(update_fields=["state", "delivered_at", "delivered_message"])
    return reminder
