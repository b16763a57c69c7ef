"""A person acting on an app's message: a click or a choice in its blocks (block_actions), or one of its
shortcuts from the composer (shortcut) or a message's menu (message_action).

Each is sent to the app as Slack sends it (slack_apps.interactions), with a new trigger_id the app may
spend on a modal within 3 seconds, and, for a message, a response_url to answer through (the same
response_urls as slash commands: ephemeral, in_channel, replace_original, delete_original). What the
person clicked is read from the stored message, not from what the browser said: the button's value and
text, the option chosen among those the app offered.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chat.models import Channel, Message
from chat.permissions import access_channel
from chat.wire import message_to_wire
from slack_apps.action_values import action_payload, state_values
from slack_apps.commands import new_response_url
from slack_apps.interactions import interaction_send
from slack_apps.models import App
from slack_apps.triggers import trigger_issue
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Workspace
from workspaces.permissions import access_membership

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class MessageContainer:
    """Where the clicked element is: a stored message, or an ephemeral one only the person was shown."""

    channel_id: str
    message_ts: str
    is_ephemeral: bool = False
    bot_id: str = ""  # an ephemeral message is not stored: the client says which app's bot showed it


def app_did_not_respond(app: App) -> DomainError:
    return DomainError(ErrorCode.APP_DID_NOT_RESPOND, "%(name)s did not respond. Try again.", params={"name": app.name})


def person_wire(actor: User, workspace: Workspace) -> dict[str, str]:
    username = actor.email.split("@", 1)[0]
    return {"id": actor.public_id, "username": username, "name": username, "team_id": workspace.public_id}


def team_wire(workspace: Workspace) -> dict[str, str]:
    return {"id": workspace.public_id, "domain": workspace.slug}


def _channel_wire(channel: Channel) -> dict[str, str]:
    return {"id": channel.public_id, "name": channel.name or ("directmessage" if channel.is_direct else "privategroup")}


def _live_app_of_bot(workspace: Workspace, bot_public_id: str) -> App:
    app = (
        App.objects.filter(workspace=workspace, bot_user__public_id=bot_public_id, disabled_at__isnull=True)
        .select_related("bot_user", "workspace")
        .first()
        if isinstance(bot_public_id, str) and bot_public_id
        else None
    )
    if app is None:
        raise DomainError(ErrorCode.APP_NOT_FOUND, "No app of this workspace showed that message.")
    return app


def _visible_channel(actor: User, workspace: Workspace, channel_id: str) -> Channel:
    channel = Channel.objects.filter(workspace=workspace, public_id=channel_id).select_related("workspace").first()
    if channel is None:
        raise DomainError(ErrorCode.CHANNEL_NOT_FOUND, "Channel not found.")
    access_channel(actor, channel)
    return channel


def _stored_message(channel: Channel, ts: str) -> Message:
    message = (
        Message.objects.filter(channel=channel, ts=ts, deleted_at__isnull=True)
        .select_related("author", "channel", "thread_root__author")
        .first()
        if isinstance(ts, str)
        else None
    )
    if message is None:
        raise DomainError(ErrorCode.MESSAGE_NOT_FOUND, "That message is gone.")
    return message


def block_action_send(
    *, actor: User, workspace: Workspace, container: MessageContainer, action: dict[str, Any], state: Any
) -> None:
    """Tell the app whose message it is that `actor` clicked or chose something in it (block_actions).

    Callers: anyone who can see the channel (for an ephemeral message, its recipient's client).
    Raises: channel_not_found, message_not_found, app_not_found (not an enabled app's message),
    invalid_arguments (no such element in the message, or a choice it does not offer),
    app_did_not_respond (the app did not ack within 3 seconds; nothing changed).
    Events: none of its own; the app's answers through chat.update, response_url or views.open have theirs.
    """
    access_membership(actor, workspace)
    channel = _visible_channel(actor, workspace, container.channel_id)
    if container.is_ephemeral:
        app, message, blocks = _live_app_of_bot(workspace, container.bot_id), None, None
    else:
        message = _stored_message(channel, container.message_ts)
        if not message.author.is_bot:
            raise DomainError(ErrorCode.APP_NOT_FOUND, "Only an app's messages have actions.")
        app = _live_app_of_bot(workspace, message.author.public_id)
        blocks = message.blocks + [b for a in message.legacy_attachments for b in a.get("blocks") or []]
    response_url, _row = new_response_url(
        app,
        channel,
        actor,
        thread_ts="",
        original_ts=container.message_ts,
        original_is_ephemeral=container.is_ephemeral,
    )
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": person_wire(actor, workspace),
        "api_app_id": app.public_id,
        "token": "",
        "container": {
            "type": "message",
            "message_ts": container.message_ts,
            "channel_id": channel.public_id,
            "is_ephemeral": container.is_ephemeral,
        },
        "trigger_id": trigger_issue(app_pk=app.pk, user_pk=actor.pk, channel_pk=channel.pk),
        "team": team_wire(workspace),
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": _channel_wire(channel),
        "state": {"values": state_values(state)},
        "response_url": response_url,
        "actions": [action_payload(action, blocks, action_ts=f"{time.time():.6f}")],
    }
    if message is not None:
        payload["message"] = message_to_wire(message)
    if not interaction_send(app, payload).acked:
        raise app_did_not_respond(app)


@dataclass(frozen=True)
class ShortcutListing:
    app_id: str
    app_name: str
    callback_id: str
    name: str
    description: str
    type: str


def shortcuts_available(*, actor: User, workspace: Workspace) -> list[ShortcutListing]:
    """The shortcuts of the workspace's enabled apps, global and message ones, by name.

    Callers: members of the workspace (guests included: a shortcut acts only where they already can).
    Raises: workspace_not_found (not a member).
    """
    access_membership(actor, workspace)
    listing = [
        ShortcutListing(app.public_id, app.name, s["callback_id"], s["name"], s.get("description", ""), s["type"])
        for app in App.objects.filter(workspace=workspace, disabled_at__isnull=True).exclude(shortcuts=[])
        for s in app.shortcuts
    ]
    return sorted(listing, key=lambda entry: (entry.name.lower(), entry.app_name))


def _app_shortcut(workspace: Workspace, app_id: str, callback_id: str, kind: str) -> App:
    app = (
        App.objects.filter(workspace=workspace, public_id=app_id, disabled_at__isnull=True)
        .select_related("bot_user", "workspace")
        .first()
        if isinstance(app_id, str)
        else None
    )
    declared = app is not None and any(s["callback_id"] == callback_id and s["type"] == kind for s in app.shortcuts)
    if app is None or not declared:
        raise DomainError(ErrorCode.APP_NOT_FOUND, "No such shortcut in this workspace.")
    return app


def shortcut_send(
    *,
    actor: User,
    workspace: Workspace,
    app_id: str,
    callback_id: str,
    kind: str,
    channel_id: str = "",
    message_ts: str = "",
) -> None:
    """Run an app's shortcut: a global one (`shortcut`), or a message one on a message (`message_action`).

    Callers: members of the workspace; for a message shortcut, anyone who can see the message.
    Raises: app_not_found (no such shortcut of an enabled app), channel_not_found, message_not_found,
    app_did_not_respond.
    Events: none of its own; the app usually answers with views.open.
    """
    access_membership(actor, workspace)
    app = _app_shortcut(workspace, app_id, callback_id, kind)
    payload: dict[str, Any] = {
        "type": "shortcut" if kind == "global" else "message_action",
        "token": "",
        "action_ts": f"{time.time():.6f}",
        "team": team_wire(workspace),
        "user": person_wire(actor, workspace),
        "api_app_id": app.public_id,
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
    }
    channel_pk = None
    if kind == "message":
        channel = _visible_channel(actor, workspace, channel_id)
        message = _stored_message(channel, message_ts)
        response_url, _row = new_response_url(app, channel, actor, thread_ts="")
        channel_pk = channel.pk
        payload |= {
            "channel": _channel_wire(channel),
            "message_ts": message.ts,
            "message": message_to_wire(message),
            "response_url": response_url,
        }
    payload["trigger_id"] = trigger_issue(app_pk=app.pk, user_pk=actor.pk, channel_pk=channel_pk)
    if not interaction_send(app, payload).acked:
        raise app_did_not_respond(app)
