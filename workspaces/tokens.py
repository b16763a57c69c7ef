"""API tokens in use: authenticating them (one workspace each, the person's standing there checked in
the same statement), revoking them, and finding one a person may manage. Creating them is
integrations.tokens'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import ApiToken, User, hash_token
from accounts.services import token_revoke_now
from slackclone.errors import DomainError, ErrorCode
from slackclone.rawsql import Columns, split_row
from workspaces.models import ADMIN_ROLES, Membership, Workspace
from workspaces.permissions import access_workspace_admin, check_membership_standing

TOKEN_LAST_USED_PRECISION_SECONDS = 60


@transaction.atomic
def api_token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    """Revoke a token at once: it authenticates nothing more, and the sockets it opened are closed
    in every process; the user's other sockets stay open.

    Callers: its user; admins of its workspace; the operator.
    Raises: workspace_not_found, account_inactive, restricted_action (an actor who is neither the
    token's user nor an admin of its workspace).
    Events: chat.close (4401, token_revoked) to the sockets the token opened; audit TOKEN_REVOKED.
    """
    if actor is not None and actor.pk != token.user_id:
        access_workspace_admin(actor, token.workspace)
    return token_revoke_now(token, actor=actor)


_TOKEN = Columns(ApiToken, "t")
_TOKEN_USER = Columns(User, "u")
_TOKEN_WORKSPACE = Columns(Workspace, "w")


@cache
def _token_authenticate_sql() -> str:
    return f"""
        SELECT {_TOKEN.sql}, {_TOKEN_USER.sql}, {_TOKEN_WORKSPACE.sql}, m.is_active
        FROM {ApiToken._meta.db_table} t
        JOIN {User._meta.db_table} u ON u.id = t.user_id
        JOIN {Workspace._meta.db_table} w ON w.id = t.workspace_id
        LEFT JOIN {Membership._meta.db_table} m ON m.user_id = t.user_id AND m.workspace_id = t.workspace_id
        WHERE t.token_hash = %s AND t.revoked_at IS NULL
    """


def api_token_authenticate(raw: str) -> ApiToken:
    """The live token for a raw string, its user active in its workspace; records when it was last used.

    Every API call runs this, so it is one SQL statement (slackclone.rawsql): the token with its user
    and workspace loaded, and the membership's standing.
    Raises: invalid_auth (unknown or revoked), account_inactive (user or membership deactivated).
    """
    if not isinstance(raw, str) or not raw:
        raise DomainError(ErrorCode.INVALID_AUTH, "Invalid or missing token.")
    with connection.cursor() as cursor:
        cursor.execute(_token_authenticate_sql(), [hash_token(raw)])
        row = cursor.fetchone()
    if row is None:
        raise DomainError(ErrorCode.INVALID_AUTH, "Invalid or revoked token.")
    token, user, workspace, membership_is_active = split_row(row, _TOKEN, _TOKEN_USER, _TOKEN_WORKSPACE, 1)
    check_membership_standing(user_is_active=user.is_active, membership_is_active=membership_is_active)
    token.user, token.workspace = user, workspace
    token.last_used_at = _note_token_use(token.pk, token.last_used_at)
    return token


@dataclass(frozen=True, slots=True)
class TokenIdentity:
    """Who a token is, without the models: what a socket keeps for its whole life."""

    user_pk: int
    user_public_id: str
    workspace_id: int
    token_pk: int


_TOKEN_IDENTITY_SQL = """
    SELECT t.id, t.last_used_at, t.workspace_id, u.id, u.public_id, u.is_active, m.is_active
    FROM {token} t
    JOIN {user} u ON u.id = t.user_id
    LEFT JOIN {membership} m ON m.user_id = t.user_id AND m.workspace_id = t.workspace_id
    WHERE t.token_hash = %s AND t.revoked_at IS NULL
"""


def api_token_identify(raw: str) -> TokenIdentity:
    """api_token_authenticate's checks and bookkeeping in one SQL statement, returning no models.

    For the socket handshake, which every client of a reconnect storm runs at once: building the ORM
    query (a join and a subquery) cost more than running it (docs/performance.md, Reconnect storms).
    Callers: the real-time gateway.
    Raises: invalid_auth, account_inactive, workspace_not_found, as api_token_authenticate.
    """
    if not isinstance(raw, str) or not raw:
        raise DomainError(ErrorCode.INVALID_AUTH, "Invalid or missing token.")
    sql = _TOKEN_IDENTITY_SQL.format(
        token=ApiToken._meta.db_table, user=User._meta.db_table, membership=Membership._meta.db_table
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [hash_token(raw)])
        row = cursor.fetchone()
    if row is None:
        raise DomainError(ErrorCode.INVALID_AUTH, "Invalid or revoked token.")
    token_pk, last_used_at, workspace_id, user_pk, user_public_id, user_is_active, membership_is_active = row
    check_membership_standing(user_is_active=user_is_active, membership_is_active=membership_is_active)
    _note_token_use(token_pk, last_used_at)
    return TokenIdentity(user_pk, user_public_id, workspace_id, token_pk)


def _note_token_use(token_pk: int, last_used_at: datetime | None) -> datetime | None:
    """Record when a token was last used, at most once per TOKEN_LAST_USED_PRECISION_SECONDS."""
    now = timezone.now()
    if last_used_at is None or (now - last_used_at).total_seconds() > TOKEN_LAST_USED_PRECISION_SECONDS:
        ApiToken.objects.filter(pk=token_pk).update(last_used_at=now)
        return now
    return last_used_at


def _token_not_found() -> DomainError:
    return DomainError(ErrorCode.TOKEN_NOT_FOUND, "Token not found.")


def token_get(*, actor: User, public_id: str, within: Workspace | None = None) -> ApiToken:
    """A token the actor may manage: their own, one they created, or any in a workspace they administer."""
    token = (
        ApiToken.objects.select_related("user", "workspace").filter(public_id=public_id).first()
        if isinstance(public_id, str)
        else None
    )
    if token is None or (within is not None and token.workspace_id != within.pk):
        raise _token_not_found()
    if token.user_id == actor.pk or token.created_by_id == actor.pk:
        return token
    is_admin = Membership.objects.filter(
        user=actor, workspace_id=token.workspace_id, is_active=True, role__in=ADMIN_ROLES
    ).exists()
    if not is_admin:
        raise _token_not_found()
    return token
