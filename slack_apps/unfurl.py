"""App unfurls: link_shared for the links of an app's unfurl domains, and chat.unfurl's answer shown under
the message (Slack's flow).

When a message is posted with links to hosts an enabled app declared in features.unfurl_domains (or their
subdomains), or an edit adds such links, each such app that subscribes to link_shared gets one, with its own
(new) links only, written to the outbox (slack_apps.outbox) in the message's transaction and dispatched like
every other event. Slack sends it for conversations the app can see: a public channel always, anything else
only with its bot inside.
Posting pays a substring test; only a message with a link, in a workspace with event subscribers, costs one
query for the apps with unfurl domains (and one for their bots' memberships when some link matches).

The app answers with chat.unfurl (app_unfurl): each link must be one of the message's and of the app's
domains; its unfurl is checked as an attachment (Block Kit included) and shown under the message
(chat.unfurls.services), replacing the server's preview of that link, which leaves claimed links alone
(chat.signals.links_claimed).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chat.block_kit import BlockKitInvalid, validate_attachments
from chat.models import Channel, ChannelKind, ChannelMember, Message
from chat.permissions import access_channel
from chat.unfurls.links import added_links, host_in_domain, link_host, message_links
from chat.unfurls.services import message_set_unfurls
from slack_apps.models import App, AppEvent
from slack_apps.outbox import _write
from slackclone import jsonlimits
from slackclone.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from workspaces.models import Workspace

LINKS_SCANNED = 20  # Slack tells an app of at most this many links of one message
UNFURLS_MAX = 10
UNFURLS_MAX_BYTES = 64 * 1024
SOURCE = "conversations_history"


def unfurl_id(channel: Channel, message: Message) -> str:
    """The id chat.unfurl may name the message by: its channel and ts."""
    return f"{channel.public_id}.{message.ts}"


def parse_unfurl_id(value: str) -> tuple[str, str]:
    """(channel public id, ts) of an unfurl_id; ("", "") when it is not one."""
    channel_id, _, ts = value.partition(".")
    return (channel_id, ts) if channel_id and ts else ("", "")


def _apps_with_domains(workspace_id: int) -> list[App]:
    return list(
        App.objects.filter(workspace_id=workspace_id, disabled_at__isnull=True)
        .exclude(unfurl_domains=[])
        .only("pk", "bot_user_id", "unfurl_domains", "bot_events")
    )


def _links_of(app: App, links: list[str]) -> list[dict[str, str]]:
    """The links of `links` in the app's domains, as link_shared lists them."""
    found = []
    for url in links:
        host = link_host(url)
        domain = next((d for d in app.unfurl_domains if host_in_domain(host, d)), None)
        if domain is not None:
            found.append({"domain": domain, "url": url})
    return found


def link_shared_event(message: Message, links: list[dict[str, str]], *, is_member: bool) -> dict[str, Any]:
    channel = message.channel
    event: dict[str, Any] = {
        "type": "link_shared",
        "channel": channel.public_id,
        "is_bot_user_member": is_member,
        "user": message.author.public_id,
        "message_ts": message.ts,
        "unfurl_id": unfurl_id(channel, message),
        "source": SOURCE,
        "links": links,
        "event_ts": f"{time.time():.6f}",
    }
    if message.thread_root is not None:
        event["thread_ts"] = message.thread_root.ts
    return event


def on_message_posted(*, message: Message, unfurl_links: bool = True, **_: Any) -> None:
    """Write a link_shared event for each app whose domains the message links to (in its transaction)."""
    channel = message.channel
    if not unfurl_links or "://" not in message.text or not channel.workspace.has_event_subscribers:
        return
    _share_links(message, lambda: message_links(message.text, limit=LINKS_SCANNED))


def on_message_edited(*, message: Message, previous_text: str = "", **_: Any) -> None:
    """An edit that adds links of an app's domains tells the app of those (as Slack does), not of the others."""
    channel = message.channel
    if "://" not in message.text or not channel.workspace.has_event_subscribers:
        return
    _share_links(message, lambda: added_links(previous_text, message.text, limit=LINKS_SCANNED))


def _share_links(message: Message, links_of_message: Callable[[], list[str]]) -> None:
    """Write link_shared for each app that hears it and whose domains `links_of_message()` holds, when the
    app can see the channel."""
    channel = message.channel
    apps = [app for app in _apps_with_domains(channel.workspace_id) if "link_shared" in app.bot_events]
    links = links_of_message() if apps else []
    matches = [(app, found) for app in apps if (found := _links_of(app, links))]
    if not matches:
        return
    inside = set(
        ChannelMember.objects.filter(channel=channel, user_id__in=[app.bot_user_id for app, _ in matches]).values_list(
            "user_id", flat=True
        )
    )
    public = channel.kind == ChannelKind.PUBLIC
    rows = []
    for app, found in matches:
        is_member = app.bot_user_id in inside
        if not (public or is_member):
            continue
        event = link_shared_event(message, found, is_member=is_member)
        rows.append(
            AppEvent(
                workspace_id=channel.workspace_id,
                subscription="link_shared",
                event_type="link_shared",
                channel_id=channel.public_id,
                channel_pk=channel.pk,
                in_channel=not public,
                audience=[app.bot_user_id],
                event=json.dumps(event, separators=(",", ":"), ensure_ascii=False),
                event_time=int(time.time()),
            )
        )
    if rows:
        _write(rows)


def on_links_claimed(*, workspace: Workspace, urls: list[str], **_: Any) -> set[str]:
    """Of `urls`, those an enabled app of the workspace unfurls (its domains, and it hears link_shared)."""
    if not urls or not workspace.has_event_subscribers:
        return set()
    apps = [app for app in _apps_with_domains(workspace.pk) if "link_shared" in app.bot_events]
    return {link["url"] for app in apps for link in _links_of(app, urls)}


def _checked_unfurls(raw: Any) -> dict[str, dict[str, Any]]:
    """`unfurls` (an object, or its JSON text): link -> an attachment-like object. Raises invalid_unfurls."""
    if isinstance(raw, str):
        if len(raw.encode()) > UNFURLS_MAX_BYTES:
            raise DomainError(
                ErrorCode.INVALID_UNFURLS,
                "unfurls must be at most %(value)s kB.",
                params={"value": UNFURLS_MAX_BYTES // 1024},
            )
        try:
            raw = jsonlimits.loads(raw)
        except jsonlimits.JSONError:
            raise DomainError(ErrorCode.INVALID_UNFURLS, "unfurls must be a JSON object.") from None
    if not isinstance(raw, dict) or not raw or len(raw) > UNFURLS_MAX:
        raise DomainError(
            ErrorCode.INVALID_UNFURLS,
            "unfurls must be an object of 1 to %(unfurls_max)s links.",
            params={"unfurls_max": UNFURLS_MAX},
        )
    if len(json.dumps(raw).encode()) > UNFURLS_MAX_BYTES:
        raise DomainError(
            ErrorCode.INVALID_UNFURLS,
            "unfurls must be at most %(value)s kB.",
            params={"value": UNFURLS_MAX_BYTES // 1024},
        )
    for url, unfurl in raw.items():
        if not isinstance(unfurl, dict):
            raise DomainError(
                ErrorCode.INVALID_UNFURLS, "The unfurl of %(url)s must be an object.", params={"url": url}
            )
    return raw


def _attachments(app: App, unfurls: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each unfurl as Slack shows it: an attachment marked with its link and app, checked as attachments
    are (Block Kit included)."""
    marked = [
        {
            "fallback": str(unfurl.get("title") or url)[:300],
            **unfurl,
            "app_unfurl_url": url,
            "is_app_unfurl": True,
            "app_id": app.public_id,
            "bot_id": app.bot_user.public_id,
        }
        for url, unfurl in unfurls.items()
    ]
    try:
        checked = validate_attachments(marked)
    except BlockKitInvalid as error:
        raise DomainError(
            ErrorCode.INVALID_UNFURLS, "unfurls: %(message)s", fields=error.fields, params={"message": error.message}
        ) from None
    return {attachment["app_unfurl_url"]: attachment for attachment in checked}


def app_unfurl(*, app: App, channel: Channel, message: Message, unfurls: Any) -> Message:
    """Show the app's unfurls of the message's links under it (Slack's chat.unfurl).

    Callers: the app's bot (scope links:write, checked by slack_api), for a conversation it can see.
    Raises: channel_not_found, message_not_found, invalid_unfurls (not an object of objects, bad JSON, too
    large, a bad attachment or block), cant_unfurl_url (a link not in the message or not the app's).
    Events: message_changed (chat.unfurls.services.message_set_unfurls).
    """
    access_channel(app.bot_user, channel)
    if message.is_deleted:
        raise DomainError(ErrorCode.MESSAGE_NOT_FOUND, "That message has been deleted.")
    checked = _checked_unfurls(unfurls)
    links = message_links(message.text, limit=LINKS_SCANNED)
    for url in checked:
        if url not in links or not _links_of(app, [url]):
            raise DomainError(ErrorCode.CANT_UNFURL_URL, "That link is not in the message, or not in your domains.")
    updated = message_set_unfurls(message=message, unfurls=_attachments(app, checked))
    if updated is None:
        raise DomainError(ErrorCode.MESSAGE_NOT_FOUND, "That message can no longer be unfurled.")
    return updated


def connect() -> None:
    """Receive message_posted and message_edited, and answer links_claimed (SlackAppsConfig.ready)."""
    from chat import signals

    signals.message_posted.connect(on_message_posted, dispatch_uid="slack_apps.unfurl.on_message_posted")
    signals.message_edited.connect(on_message_edited, dispatch_uid="slack_apps.unfurl.on_message_edited")
    signals.links_claimed.connect(on_links_claimed, dispatch_uid="slack_apps.unfurl.on_links_claimed")
