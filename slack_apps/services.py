"""Making, rotating, disabling and deleting a workspace's Slack apps.

Each keeps Workspace.has_event_subscribers true exactly while an enabled app there subscribes to
events, which is how posting knows, without a query, whether to look for apps to tell (outbox).

An app is made of an AppSpec (slack_apps.manifest: from a pasted manifest, a form or the command
line, all read by the same rules). Its bot user is an ordinary app bot of the workspace
(integrations.services.bot_create), whose xoxb- token is limited to the app's scopes; disabling
the app deactivates that bot's membership, which is what stops its token and closes its sockets
everywhere at once. Secrets are returned raw exactly once.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, hash_token
from accounts.services import token_revoke_now
from audit.models import AuditAction
from audit.services import audit_record
from integrations.services import bot_create
from integrations.tokens import api_token_create
from realtime import transport
from slack_apps.manifest import AppSpec, check_urls
from slack_apps.models import App, AppToken, SlashCommand
from slack_apps.outbox import workspace_has_subscribers
from slack_apps.sealing import seal
from slack_apps.verification import verify_request_url
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Workspace
from workspaces.permissions import access_workspace_admin
from workspaces.services import member_deactivate, member_reactivate

if TYPE_CHECKING:
    from accounts.models import User

AppSecret = Literal["bot_token", "app_token", "signing_secret"]


@dataclass(frozen=True)
class AppCredentials:
    """What an app's developer copies into its configuration; shown once, stored only hashed or sealed."""

    app_id: str
    bot_user_id: str
    bot_token: str
    app_token: str
    signing_secret: str


def _new_app_token(app: App) -> str:
    raw = f"xapp-1-{app.public_id}-{secrets.token_hex(32)}"
    AppToken.objects.create(app=app, token_hash=hash_token(raw), prefix=raw[:20])
    return raw


def _check_commands_free(workspace: Workspace, spec: AppSpec, *, except_app: App | None = None) -> None:
    wanted = [command.command for command in spec.commands]
    taken = SlashCommand.objects.filter(workspace=workspace, command__in=wanted)
    if except_app is not None:
        taken = taken.exclude(app=except_app)
    names = sorted(taken.values_list("command", flat=True))
    if names:
        raise DomainError(
            ErrorCode.COMMAND_TAKEN,
            "Another app of this workspace already answers %(value)s.",
            fields={"commands": "taken"},
            params={"value": ", ".join(names)},
        )


@transaction.atomic
def app_create(*, actor: User | None, workspace: Workspace, spec: AppSpec) -> tuple[App, AppCredentials]:
    """Make an app: its bot user (joining the workspace), scoped bot token, app-level token, signing
    secret and slash commands. `spec` comes from slack_apps.manifest, which validated it.

    Callers: workspace owners and admins; the operator (manage.py create_app).
    Raises: restricted_action, command_taken, invalid_name.
    Events: team_join and member_joined_channel (#general), for the bot user; audit APP_CREATED (and
    TOKEN_CREATED for its bot token).
    """
    access_workspace_admin(actor, workspace)
    _check_commands_free(workspace, spec)
    bot, bot_token = bot_create(actor=actor, workspace=workspace, name=spec.name, scopes=spec.scopes)
    if spec.bot_display_name:
        bot.display_name = spec.bot_display_name
        bot.save(update_fields=["display_name"])
    signing_secret = secrets.token_hex(16)
    app = App.objects.create(
        workspace=workspace,
        name=spec.name,
        description=spec.description,
        bot_user=bot,
        scopes=list(spec.scopes),
        bot_events=list(spec.bot_events),
        socket_mode=spec.socket_mode,
        request_url=spec.request_url,
        interactivity_url=spec.interactivity_url,
        shortcuts=[vars(shortcut) for shortcut in spec.shortcuts],
        unfurl_domains=list(spec.unfurl_domains),
        signing_secret_sealed=seal(signing_secret),
        created_by=actor,
    )
    SlashCommand.objects.bulk_create(
        SlashCommand(app=app, workspace=workspace, **vars(command)) for command in spec.commands
    )
    _refresh_event_subscribers(workspace)
    credentials = AppCredentials(
        app_id=app.public_id,
        bot_user_id=bot.public_id,
        bot_token=bot_token,
        app_token=_new_app_token(app),
        signing_secret=signing_secret,
    )
    audit_record(
        action=AuditAction.APP_CREATED,
        actor=actor,
        workspace=workspace,
        target=app,
        target_label=app.name,
        data={"bot_user": bot.public_id, "scopes": list(spec.scopes), "socket_mode": spec.socket_mode},
    )
    return app, credentials


def _refresh_event_subscribers(workspace: Workspace) -> None:
    """Keep Workspace.has_event_subscribers true exactly while an enabled app there subscribes to events."""
    workspace.has_event_subscribers = workspace_has_subscribers(workspace.pk)
    Workspace.objects.filter(pk=workspace.pk).update(has_event_subscribers=workspace.has_event_subscribers)


def _live_bot_tokens(app: App) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=app.bot_user, workspace=app.workspace, revoked_at__isnull=True))


def _close_sockets(app: App, reason: str) -> None:
    """After the commit, the app's Socket Mode connections are told `disconnect` (reason) and closed."""
    transport.group_message_after_commit(transport.app_sockets_group(app), {"type": "sm.close", "reason": reason})


def _revoke_app_tokens(app: App) -> None:
    AppToken.objects.filter(app=app, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def app_rotate(*, actor: User | None, app: App, secret: AppSecret) -> str:
    """Replace one of the app's secrets; the old one stops working at once. Returns the new one, raw.

    Rotating the bot token closes the sockets the old one opened; rotating the app-level token ends
    its Socket Mode connections. A new bot token is minted as any bot token is
    (integrations.tokens.api_token_create): an admin gets one only if they are in every private
    conversation the bot is in.
    Callers: workspace owners and admins of the app's workspace; the operator.
    Raises: restricted_action, bot_token_not_allowed, invalid_arguments (an unknown secret).
    Events: chat.close (token_revoked) to the old bot token's sockets; audit TOKEN_REVOKED and TOKEN_CREATED
    for a bot token, TOKEN_CREATED naming the app for its app-level token or signing secret.
    """
    access_workspace_admin(actor, app.workspace)
    if secret in ("app_token", "signing_secret"):
        audit_record(
            action=AuditAction.TOKEN_CREATED,
            actor=actor,
            workspace=app.workspace,
            target=app,
            target_label=app.name,
            data={"secret": secret, "replaces": "the previous one, which stops working"},
        )
    if secret == "bot_token":
        for token in _live_bot_tokens(app):
            token_revoke_now(token, actor=actor, reason="app_rotated")
        _token, raw = api_token_create(
            actor=actor, user=app.bot_user, workspace=app.workspace, name=f"{app.name} bot token", scopes=app.scopes
        )
        return raw
    if secret == "app_token":
        _revoke_app_tokens(app)
        _close_sockets(app, "refresh_requested")
        return _new_app_token(app)
    if secret == "signing_secret":
        raw = secrets.token_hex(16)
        app.signing_secret_sealed = seal(raw)
        app.save(update_fields=["signing_secret_sealed"])
        return raw
    raise DomainError(
        ErrorCode.INVALID_ARGUMENTS,
        "Rotate bot_token, app_token or signing_secret.",
        fields={"secret": "invalid"},
    )


def app_set_urls(
    *,
    actor: User | None,
    app: App,
    request_url: str | None = None,
    interactivity_url: str | None = None,
    command_urls: Mapping[str, str] | None = None,
) -> App:
    """Set where the app receives events (and, unless a command has its own URL, its commands),
    interactivity and particular commands. None leaves a URL as it is; "" removes it.

    A new request URL is saved only once the app answers Slack's url_verification challenge there
    (slack_apps.verification), and saving it turns deliveries back on if failures had switched them
    off. The check runs before the transaction: no row is locked while the app answers.
    Callers: workspace owners and admins of the app's workspace; the operator.
    Raises: restricted_action, invalid_manifest (a malformed URL, an unknown command),
    url_verification_failed.
    """
    access_workspace_admin(actor, app.workspace)
    urls = check_urls(
        request_url=request_url, interactivity_url=interactivity_url, command_urls=dict(command_urls or {})
    )
    known = set(app.commands.values_list("command", flat=True))
    unknown = sorted(set(urls.command_urls) - known)
    if unknown:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "The app has no command %(value)s.",
            fields={"command_urls": "unknown_command"},
            params={"value": ", ".join(unknown)},
        )
    if urls.request_url:
        verify_request_url(app, urls.request_url)
    with transaction.atomic():
        fields = []
        if request_url is not None:
            app.request_url, app.request_url_disabled_at, app.delivery_failures = urls.request_url, None, 0
            fields += ["request_url", "request_url_disabled_at", "delivery_failures"]
        if interactivity_url is not None:
            app.interactivity_url = urls.interactivity_url
            fields.append("interactivity_url")
        if fields:
            app.save(update_fields=fields)
        for command, url in urls.command_urls.items():
            SlashCommand.objects.filter(app=app, command=command).update(url=url)
    return app


@transaction.atomic
def app_set_enabled(*, actor: User | None, app: App, enabled: bool) -> App:
    """Disable an app (its tokens stop working and its sockets close, in every process, and nothing
    more is delivered to it) or enable it again, with the same tokens and secret.

    Callers: workspace owners and admins of the app's workspace; the operator.
    Raises: restricted_action.
    Events: user_change for the bot user; its token sockets close (4401, account_inactive).
    """
    access_workspace_admin(actor, app.workspace)
    if enabled == (app.disabled_at is None):
        return app
    if enabled:
        member_reactivate(actor=None, workspace=app.workspace, user=app.bot_user)
        app.disabled_at = None
    else:
        member_deactivate(actor=None, workspace=app.workspace, user=app.bot_user)
        app.disabled_at = timezone.now()
        _close_sockets(app, "link_disabled")
    app.save(update_fields=["disabled_at"])
    _refresh_event_subscribers(app.workspace)
    return app


@transaction.atomic
def app_delete(*, actor: User | None, app: App) -> None:
    """Delete an app and its commands; revoke its tokens. Its bot user stays, deactivated, as the
    author of the app's messages.

    Callers: workspace owners and admins of the app's workspace; the operator.
    Raises: restricted_action.
    Events: user_change for the bot user; chat.close to the sockets its tokens opened; audit APP_DELETED (and
    TOKEN_REVOKED, MEMBER_DEACTIVATED for its bot).
    """
    access_workspace_admin(actor, app.workspace)
    audit_record(
        action=AuditAction.APP_DELETED,
        actor=actor,
        workspace=app.workspace,
        target=app,
        target_label=app.name,
        data={"bot_user": app.bot_user.public_id},
    )
    for token in _live_bot_tokens(app):
        token_revoke_now(token, actor=actor, reason="app_deleted")
    _revoke_app_tokens(app)
    _close_sockets(app, "link_disabled")
    if app.disabled_at is None:
        member_deactivate(actor=None, workspace=app.workspace, user=app.bot_user)
    app.delete()
    _refresh_event_subscribers(app.workspace)
