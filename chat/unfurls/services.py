"""The unfurls under a message: the server's previews and apps' unfurls, kept with the message's attachments.

Slack shows both as attachments of the message, and so do we: each is stored in `legacy_attachments` after
whatever the sender attached, marked by the link it is about (`from_url` and `original_url` for the server's
preview, `app_unfurl_url` and `is_app_unfurl` for an app's), so every surface that shows a message shows its
unfurls with no query of its own. One unfurl per link: an app's replaces the server's preview of the same
link, a preview never replaces an app's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from chat import events
from chat.block_kit import MAX_ATTACHMENTS
from chat.models import Message
from chat.permissions import access_channel, check_can_edit_message, check_not_archived
from chat.services.locking import lock_channel, stamp_change
from slackclone.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from accounts.models import User


def unfurl_url(attachment: Any) -> str | None:
    """The link an attachment unfurls (None: one the sender attached, or a forwarded message's share)."""
    if not isinstance(attachment, dict) or attachment.get("is_share"):
        return None
    url = attachment.get("app_unfurl_url") if attachment.get("is_app_unfurl") else attachment.get("from_url")
    return url if isinstance(url, str) and url else None


def _merged(current: list[dict[str, Any]], unfurls: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """`current` with each of `unfurls` in place of the unfurl of its link, or after the others."""
    pending = dict(unfurls)
    merged: list[dict[str, Any]] = []
    for attachment in current:
        url = unfurl_url(attachment)
        if url in pending:
            new = pending.pop(url)
            keep_app = attachment.get("is_app_unfurl") and not new.get("is_app_unfurl")
            merged.append(attachment if keep_app else new)
        else:
            merged.append(attachment)
    merged.extend(pending.values())
    return merged[:MAX_ATTACHMENTS]


@transaction.atomic
def message_set_unfurls(*, message: Message, unfurls: dict[str, dict[str, Any]]) -> Message | None:
    """Show `unfurls` (link -> attachment, checked by the caller) under the message.

    Callers: the server's preview task (chat.unfurls.previews), and slack_apps.unfurl for an app's unfurls,
    which checked that the app may unfurl those links there. Nothing happens to a deleted message, or in an
    archived channel (returns None).
    Events: message_changed.
    """
    channel = lock_channel(message.channel)
    fresh = Message.objects.select_related("channel__workspace", "author", "thread_root__author").get(pk=message.pk)
    if fresh.is_deleted or channel.is_archived or not unfurls:
        return None
    fresh.legacy_attachments = _merged(list(fresh.legacy_attachments), unfurls)
    fresh.changed_at_seq = stamp_change(channel)
    fresh.save(update_fields=["legacy_attachments", "changed_at_seq"])
    fresh.channel.last_seq = channel.last_seq
    events.send_message_changed(fresh)
    return fresh


@transaction.atomic
def unfurl_remove(*, actor: User, message: Message, url: str) -> Message:
    """Remove the unfurl of `url` from the actor's own message (Slack's "Remove attachment"): the server's
    preview or an app's.

    Callers: the message's author, while they can see the channel.
    Raises: channel_not_found, cant_update_message (not the author), message_not_found (deleted, or no unfurl
    of that link), is_archived.
    Events: message_changed.
    """
    access_channel(actor, message.channel)
    check_can_edit_message(actor, message)
    channel = lock_channel(message.channel)
    check_not_archived(channel)
    message.refresh_from_db(fields=["legacy_attachments"])
    kept = [attachment for attachment in message.legacy_attachments if unfurl_url(attachment) != url]
    if len(kept) == len(message.legacy_attachments):
        raise DomainError(
            ErrorCode.MESSAGE_NOT_FOUND, "That message has no preview of this link.", fields={"url": "not_found"}
        )
    message.legacy_attachments = kept
    message.changed_at_seq = stamp_change(channel)
    message.save(update_fields=["legacy_attachments", "changed_at_seq"])
    events.send_message_changed(message)
    return message
