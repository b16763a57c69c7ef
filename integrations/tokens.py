"""Creating API tokens: a person's own, or one for a workspace's app bot.

Tokens are the way in for scripts, bots and apps, so creating them lives here, where the bots are
made (integrations.services.bot_create) and where a bot's reach into private conversations can be
checked. Revoking and authenticating are workspaces.tokens'.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Exists, OuterRef

from accounts.models import ApiToken, BotKind, User, hash_token
from audit.models import AuditAction
from audit.services import audit_record
from chat.models import ChannelKind, ChannelMember
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Workspace
from workspaces.permissions import access_membership, access_workspace_admin


def _token_prefix(user: User) -> str:
    return "xoxb-" if user.is_bot else "xoxp-"


def _check_bot_takes_tokens(*, bot: User, workspace: Workspace, minter: User | None) -> None:
    """A bot token reads whatever the bot can. A webhook's bot and Slackbot never take one; otherwise
    a workspace admin gets one only for an app bot of this very workspace, and only if they already
    see every private conversation the bot is in. The operator (None) is trusted with any other bot.
    Raises bot_token_not_allowed.
    """
    never: dict[str, str] = {
        BotKind.WEBHOOK: "a webhook's bot acts only through its webhook URL",
        BotKind.SYSTEM: "Slackbot acts only for the server",
    }
    if bot.bot_kind in never:
        raise DomainError(
            ErrorCode.BOT_TOKEN_NOT_ALLOWED,
            "This bot cannot have API tokens: %(value)s.",
            params={"value": never[bot.bot_kind]},
        )
    if minter is None:
        return
    if bot.bot_kind != BotKind.APP or bot.bot_workspace_id != workspace.pk:
        raise DomainError(
            ErrorCode.BOT_TOKEN_NOT_ALLOWED, "This bot is not one of this workspace's own; its admins cannot manage it."
        )
    minter_in = ChannelMember.objects.filter(channel=OuterRef("channel"), user=minter)
    hidden = (
        ChannelMember.objects.filter(user=bot, channel__workspace=workspace)
        .exclude(channel__kind=ChannelKind.PUBLIC)
        .exclude(Exists(minter_in))
    )
    if hidden.exists():
        raise DomainError(
            ErrorCode.BOT_TOKEN_NOT_ALLOWED,
            "This bot is in private conversations you are not in, so its token would read them; "
            "ask someone who is in all of them, or make a new bot.",
        )


@transaction.atomic
def api_token_create(
    *, actor: User | None, user: User, workspace: Workspace, name: str = "", scopes: Sequence[str] | None = None
) -> tuple[ApiToken, str]:
    """Create an API token acting as `user` in `workspace`; returns the row and the raw token, shown once.

    Slack's prefixes tell the kinds apart: xoxp- for people, xoxb- for bots. `scopes` limits a bot
    token to what its app was granted (slack_apps); None leaves every method open to it.
    Callers: a user for themselves; admins of the workspace that owns an app bot, for that bot (see
    _check_bot_takes_tokens); the operator, for anyone but a webhook's bot or Slackbot. The tokens an
    admin made for bots are revoked when they stop being an admin there (workspaces.services.
    member_change_role, member_deactivate).
    Raises: workspace_not_found / account_inactive (user not active there), restricted_action,
    bot_token_not_allowed.
    Events: audit TOKEN_CREATED (never the raw token).
    """
    if actor is not None and actor.pk != user.pk:
        access_workspace_admin(actor, workspace)
        if not user.is_bot:
            raise DomainError(
                ErrorCode.RESTRICTED_ACTION, "Admins create tokens for bots only; people create their own."
            )
    access_membership(user, workspace)
    if user.is_bot:
        _check_bot_takes_tokens(bot=user, workspace=workspace, minter=actor)
    raw = _token_prefix(user) + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        workspace=workspace,
        name=(name or "").strip()[:100],
        token_hash=hash_token(raw),
        prefix=raw[:12],
        created_by=actor,
        scopes=list(scopes) if scopes is not None else None,
    )
    audit_record(
        action=AuditAction.TOKEN_CREATED,
        actor=actor,
        workspace=workspace,
        target=token,
        data={"user": user.public_id, "prefix": token.prefix, "bot": user.is_bot, "scopes": token.scopes},
    )
    return token, raw
