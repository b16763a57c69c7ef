"""Slash commands: what runs when a member types `/name text`, from the composer or chat.command.

A command is a built-in (slack_apps.builtin_commands) or one an enabled app of the workspace
registered. An app's command reaches it as Slack sends it: form-encoded and signed to the command's
URL (or the app's request URL), or as a `slash_commands` envelope on its Socket Mode connections.
The app's immediate answer (the HTTP body, or the ack's payload) and up to RESPONSE_URL_USES later
POSTs to its `response_url` within RESPONSE_URL_MINUTES are shown: `ephemeral` (the default) to the
person who typed the command, `in_channel` posted in the conversation as the app. An app that does
not answer within 3 seconds is reported to the person as Slack reports it: `/name failed with the
error "operation_timeout"`.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.models import hash_token
from chat.block_kit import MessageContent, message_content
from chat.models import Message
from chat.permissions import access_channel_member
from chat.services import ephemeral_post, ephemeral_withdraw, message_delete, message_edit, message_post
from notifications.services.reminders import slackbot
from slack_apps import socket_commands
from slack_apps.builtin_commands import BUILTINS
from slack_apps.delivery import TIMEOUT_SECONDS, signed_headers
from slack_apps.manifest import COMMAND_PATTERN
from slack_apps.models import RESPONSE_URL_MINUTES, App, CommandResponseUrl, SlashCommand
from slack_apps.triggers import trigger_issue
from slackclone import jsonlimits, outgoing
from slackclone.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from accounts.models import User
    from chat.models import Channel

RESPONSE_MAX_BYTES = 64 * 1024
# Slack's words for a command that is no command.
NOT_A_COMMAND = gettext_lazy(
    '%(command)s is not a valid command. In Slackclone, all messages that start with the "/" character are '
    "interpreted as commands. To send a message that starts with /, put a space before it."
)


@dataclass(frozen=True)
class CommandResult:
    """What the person who typed the command sees at once, only them ("" when nothing), and any message posted.

    `shown`: the text has been sent to their sockets as an ephemeral message (by the app's bot, or by
    Slackbot for a built-in's answer and for errors).
    """

    text: str = ""
    posted: Message | None = None
    shown: bool = False


@dataclass(frozen=True)
class CommandListing:
    command: str
    description: str
    usage_hint: str
    app_name: str  # "" for a built-in


def commands_available(*, actor: User, channel: Channel) -> list[CommandListing]:
    """The built-ins and the workspace's enabled apps' commands, for the composer's autocomplete."""
    access_channel_member(actor, channel)
    listing = [CommandListing(name, str(b.description), str(b.usage_hint), "") for name, b in BUILTINS.items()]
    rows = SlashCommand.objects.filter(workspace_id=channel.workspace_id, app__disabled_at__isnull=True).select_related(
        "app"
    )
    listing += [CommandListing(r.command, r.description, r.usage_hint, r.app.name) for r in rows]
    return sorted(listing, key=lambda entry: entry.command)


def command_run(*, actor: User, channel: Channel, command: str, text: str = "", thread_ts: str = "") -> CommandResult:
    """Run `/command text` in a conversation the actor is in.

    Callers: members of the channel; the composer (REST) and chat.command (Web API, people's tokens).
    Raises: channel_not_found, not_in_channel, invalid_arguments (not a command's shape), and what a
    built-in's service raises. An unknown command, or an app that fails, is an answer, not an error.
    Events: those of the built-in's service; an app's answer: ephemeral_message or message.
    """
    access_channel_member(actor, channel)
    command = (command or "").strip().lower()
    if not COMMAND_PATTERN.fullmatch(command):
        raise DomainError(ErrorCode.INVALID_ARGUMENTS, "A command is / and its name.", fields={"command": "invalid"})
    text = (text or "").strip()
    builtin = BUILTINS.get(command)
    if builtin is not None:
        with transaction.atomic():
            return _told(actor, channel, thread_ts, CommandResult(text=builtin.run(actor, channel, text)))
    registered = (
        SlashCommand.objects.filter(workspace_id=channel.workspace_id, command=command, app__disabled_at__isnull=True)
        .select_related("app__workspace", "app__bot_user")
        .first()
    )
    if registered is None:
        return _told(actor, channel, thread_ts, CommandResult(text=str(NOT_A_COMMAND) % {"command": command}))
    result = _run_app_command(actor, channel, registered, text, thread_ts)
    return result if result.shown else _told(actor, channel, thread_ts, result)


def _told(actor: User, channel: Channel, thread_ts: str, result: CommandResult) -> CommandResult:
    """Slackbot shows the person what only they should see, on their own sockets, as Slack does."""
    if result.text:
        ephemeral_post(
            sender=slackbot(channel.workspace),
            channel=channel,
            recipient=actor,
            text=result.text,
            thread_ts=thread_ts or None,
            answering=actor,
        )
    return dataclasses.replace(result, shown=True)


def _failed(command: str, error: str) -> CommandResult:
    return CommandResult(
        text=gettext('%(command)s failed with the error "%(error)s"') % {"command": command, "error": error}
    )


def _payload(actor: User, channel: Channel, registered: SlashCommand, text: str, response_url: str) -> dict[str, str]:
    app = registered.app
    return {
        "token": "",
        "team_id": channel.workspace.public_id,
        "team_domain": channel.workspace.slug,
        "channel_id": channel.public_id,
        "channel_name": channel.name or ("directmessage" if channel.is_direct else "privategroup"),
        "user_id": actor.public_id,
        "user_name": actor.email.split("@", 1)[0],
        "command": registered.command,
        "text": text,
        "api_app_id": app.public_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_issue(app_pk=app.pk, user_pk=actor.pk, channel_pk=channel.pk),
    }


def new_response_url(
    app: App,
    channel: Channel,
    actor: User,
    thread_ts: str,
    *,
    original_ts: str = "",
    original_is_ephemeral: bool = False,
) -> tuple[str, CommandResponseUrl]:
    """A response_url for the app to answer `actor` through, in `channel`: for a slash command, or for a
    click in a message (whose ts is the `original` an answer may replace or delete)."""
    secret = secrets.token_urlsafe(32)
    row = CommandResponseUrl.objects.create(
        app=app,
        channel=channel,
        user=actor,
        thread_ts=thread_ts,
        secret_hash=hash_token(secret),
        expires_at=timezone.now() + timedelta(minutes=RESPONSE_URL_MINUTES),
        original_ts=original_ts,
        original_is_ephemeral=original_is_ephemeral,
    )
    return f"{settings.SITE_URL}/api/commands/respond/{secret}", row


def _run_app_command(
    actor: User, channel: Channel, registered: SlashCommand, text: str, thread_ts: str
) -> CommandResult:
    app = registered.app
    response_url, row = new_response_url(app, channel, actor, thread_ts)
    payload = _payload(actor, channel, registered, text, response_url)
    if app.socket_mode:
        answered, answer = socket_commands.send_and_wait(app, payload, timeout=TIMEOUT_SECONDS)
        if not answered:
            return _failed(registered.command, "operation_timeout")
        return _show_answer(row, answer)
    url = registered.url or app.request_url
    if not url or (app.request_url_disabled_at is not None and not registered.url):
        return _failed(registered.command, "dispatch_failed")
    body = urlencode(payload).encode()
    headers = {**signed_headers(app, body, timezone.now()), "Content-Type": "application/x-www-form-urlencoded"}
    try:
        response = outgoing.post(url, body=body, headers=headers, timeout=TIMEOUT_SECONDS)
    except outgoing.OutgoingError as error:
        return _failed(registered.command, "operation_timeout" if error.reason == "http_timeout" else "dispatch_failed")
    if response.status != 200:
        return _failed(registered.command, "http_service_error")
    return _show_answer(row, _read_answer(response.body))


def _read_answer(raw: bytes) -> dict[str, Any] | None:
    """An app's answer body: JSON (Slack's message shape), plain text, or nothing."""
    text = raw[:RESPONSE_MAX_BYTES].decode("utf-8", errors="replace").strip()
    if not text:
        return None
    if text.startswith("{"):
        try:
            answer = jsonlimits.loads(text)
        except jsonlimits.JSONError:
            return {"text": text}
        return answer if isinstance(answer, dict) else {"text": text}
    return {"text": text}


def _show_answer(row: CommandResponseUrl, answer: dict[str, Any] | None) -> CommandResult:
    """Show an app's answer to the person who typed the command (ephemeral) or in the conversation
    (`response_type: in_channel`), and remember it as the original that a later answer through the
    response_url may replace (`replace_original`) or delete (`delete_original`), as Slack does."""
    if not answer:
        return CommandResult()
    if answer.get("delete_original") is True:
        _delete_original(row)
        return CommandResult(shown=True)
    try:
        content = message_content(answer.get("text"), answer.get("blocks"), answer.get("attachments"))
    except DomainError as error:
        if error.code == ErrorCode.NO_TEXT:
            return CommandResult()
        return CommandResult(
            text=gettext("The app's answer could not be shown (%(reason)s).") % {"reason": error.message}
        )
    if answer.get("replace_original") is True and row.original_ts:
        return _replace_original(row, content)
    app, channel, actor = row.app, row.channel, row.user
    thread = str(answer.get("thread_ts") or row.thread_ts or "") or None
    parts = content.as_args()
    if answer.get("response_type") == "in_channel":
        posted = message_post(sender=app.bot_user, channel=channel, thread_ts=thread, answering=actor, **parts)
        _remember_original(row, posted.ts, ephemeral=False)
        return CommandResult(posted=posted, shown=True)
    shown = ephemeral_post(
        sender=app.bot_user, channel=channel, recipient=actor, thread_ts=thread, answering=actor, **parts
    )
    _remember_original(row, shown.ts, ephemeral=True)
    return CommandResult(text=content.text, shown=True)


def _remember_original(row: CommandResponseUrl, ts: str, *, ephemeral: bool) -> None:
    row.original_ts, row.original_is_ephemeral = ts, ephemeral
    CommandResponseUrl.objects.filter(pk=row.pk).update(original_ts=ts, original_is_ephemeral=ephemeral)


def _original_message(row: CommandResponseUrl) -> Message | None:
    return Message.objects.filter(channel=row.channel, ts=row.original_ts, deleted_at__isnull=True).first()


def _replace_original(row: CommandResponseUrl, content: MessageContent) -> CommandResult:
    app, channel, actor = row.app, row.channel, row.user
    parts = content.as_args()
    if row.original_is_ephemeral:
        thread = row.thread_ts or None
        ephemeral_post(sender=app.bot_user, channel=channel, recipient=actor, thread_ts=thread,
                       answering=actor, replacing_ts=row.original_ts, **parts)  # fmt: skip
        return CommandResult(text=content.text, shown=True)
    original = _original_message(row)
    if original is None:
        raise DomainError(ErrorCode.MESSAGE_NOT_FOUND, "The original message is gone.")
    return CommandResult(posted=message_edit(actor=app.bot_user, message=original, **parts), shown=True)


def _delete_original(row: CommandResponseUrl) -> None:
    if not row.original_ts:
        return
    if row.original_is_ephemeral:
        ephemeral_withdraw(sender=row.app.bot_user, channel=row.channel, recipient=row.user, ts=row.original_ts)
    elif (original := _original_message(row)) is not None:
        message_delete(actor=row.app.bot_user, message=original)
    _remember_original(row, "", ephemeral=False)


def respond(*, secret: str, body: bytes) -> None:
    """A POST to a response_url: the app's later answer to a command, shown as an immediate one is, or
    replacing (`replace_original`) or deleting (`delete_original`) the last answer shown.

    Callers: the app, holding the URL. Raises: not_found, used_url (its uses are spent), expired_url,
    invalid_arguments (nothing to show), message_not_found (the original was deleted meanwhile), and
    what posting, editing or deleting raises.
    """
    answer = _read_answer(body)
    if answer is None:
        raise DomainError(ErrorCode.INVALID_ARGUMENTS, "Send JSON with text (or blocks).", fields={"text": "required"})
    with transaction.atomic():
        row = (
            CommandResponseUrl.objects.select_for_update()
            .select_related("app__bot_user", "app__workspace", "channel__workspace", "user")
            .filter(secret_hash=hash_token(secret))
            .first()
            if re.fullmatch(r"[A-Za-z0-9_\-]{20,100}", secret or "")
            else None
        )
        if row is None:
            raise DomainError(ErrorCode.NOT_FOUND, "No such response_url.")
        if row.uses_left == 0:
            raise DomainError(ErrorCode.USED_URL, "This response_url has been used up.")
        if row.expires_at <= timezone.now() or row.app.disabled_at is not None:
            raise DomainError(ErrorCode.EXPIRED_URL, "This response_url has expired.")
        CommandResponseUrl.objects.filter(pk=row.pk).update(uses_left=row.uses_left - 1)
    _show_answer(row, answer)


def response_urls_forget_expired(*, now: datetime | None = None) -> int:
    """Delete the response_urls that expired a day or more ago (they answer expired_url until then).

    Callers: beat's sweep (slack_apps.tasks). Returns how many went.
    """
    cutoff = (now or timezone.now()) - timedelta(days=1)
    deleted, _ = CommandResponseUrl.objects.filter(expires_at__lt=cutoff).delete()
    return deleted
