"""The gateway's database work, run in worker threads: every read through selectors, every write through services.

Each function takes the socket's user and, for a token, the one workspace it acts in; a channel
outside that workspace is as unknown as a private channel you are not in (channel_not_found).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from channels.db import DatabaseSyncToAsync
from django.conf import settings
from django.db import connection

from accounts.models import ApiToken, User
from chat import selectors, services
from chat.models import NAMED_KINDS, Channel, ChannelMember, Message
from slackclone.db_unavailable import outage_as_unavailable
from slackclone.errors import DomainError, ErrorCode
from slackclone.orm import unique_or_none
from slackclone.rawsql import Columns
from workspaces.models import Membership, Role, Workspace

P = ParamSpec("P")
R = TypeVar("R")


_USER = Columns(User, "u")


def active_user(user_pk: int) -> User:
    """The socket's user, fresh from the database: a socket keeps only the key, and an account
    deactivated since the handshake can do nothing more even before its close arrives. Every frame
    that acts reads it, so the statement is written once (slackclone.rawsql), not built each time."""
    user = _USER.by_pk(user_pk)
    if user is None or not user.is_active:
        raise DomainError(ErrorCode.ACCOUNT_INACTIVE, "This account has been deactivated.")
    return user


@functools.cache
def _gateway_executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=settings.GATEWAY_DATABASE_THREADS, thread_name_prefix="gateway-db")


def in_thread(func: Callable[P, R]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Run `func` in the gateway's thread pool, not the one shared thread: its reads run side by side.

    The pool is the gateway's own (settings.GATEWAY_DATABASE_THREADS), not the event loop's default, which
    would give it as many threads as cores plus four: every thread more takes the GIL from the loop and the
    request threads. Each worker thread has its own database connection; DatabaseSyncToAsync closes stale
    ones. A database outage becomes DatabaseUnavailable (service_unavailable: the frame's ack tells the
    client to retry), its connection dropped in the thread that held it.
    """
    return DatabaseSyncToAsync(outage_as_unavailable(func), thread_sensitive=False, executor=_gateway_executor())


@dataclass(frozen=True, slots=True)
class Subscriptions:
    groups: list[str]
    workspaces: list[str]  # public ids, for presence
    live: bool = True  # the account is active and the socket's token (if any) not revoked
    problem: str = ""  # why not: account_inactive or token_revoked


_SUBSCRIPTIONS_SQL = """
    SELECT 'a', CASE WHEN NOT u.is_active THEN 'account_inactive' {token_problem} ELSE '' END, NULL
    FROM {user} u
    WHERE u.id = %(user)s
    UNION ALL
    SELECT 'w', w.public_id, m.role
    FROM {membership} m
    JOIN {workspace} w ON w.id = m.workspace_id
    JOIN {user} u ON u.id = m.user_id
    WHERE m.user_id = %(user)s AND m.is_active AND u.is_active {in_workspace}
    UNION ALL
    SELECT 'c', c.public_id, NULL
    FROM {channel_member} cm
    JOIN {channel} c ON c.id = cm.channel_id
    JOIN {membership} m ON m.workspace_id = c.workspace_id AND m.user_id = cm.user_id AND m.is_active
    JOIN {user} u ON u.id = cm.user_id
    WHERE cm.user_id = %(user)s AND u.is_active {in_workspace}
"""


_TOKEN_PROBLEM = """
    WHEN NOT EXISTS (SELECT 1 FROM {token} t WHERE t.id = %(token)s AND t.revoked_at IS NULL) THEN 'token_revoked'
    WHEN NOT EXISTS (
        SELECT 1 FROM {membership} tm
        WHERE tm.user_id = %(user)s AND tm.workspace_id = %(workspace)s AND tm.is_active
    ) THEN 'account_inactive'
"""


def _not_in_barred(count: int) -> str:
    """`AND m.workspace_id NOT IN (...)` with one placeholder per barred workspace (any database)."""
    if not count:
        return ""
    return " AND m.workspace_id NOT IN (" + ", ".join(f"%(barred{i})s" for i in range(count)) + ")"


def _subscriptions_sql(workspace_id: int | None, token_id: int | None, barred: int = 0) -> str:
    token_problem = (
        ""
        if token_id is None
        else _TOKEN_PROBLEM.format(token=ApiToken._meta.db_table, membership=Membership._meta.db_table)
    )
    return _SUBSCRIPTIONS_SQL.format(
        token_problem=token_problem,
        membership=Membership._meta.db_table,
        workspace=Workspace._meta.db_table,
        user=User._meta.db_table,
        channel_member=ChannelMember._meta.db_table,
        channel=Channel._meta.db_table,
        in_workspace=("" if workspace_id is None else "AND m.workspace_id = %(workspace)s") + _not_in_barred(barred),
    )


@in_thread
def load_subscriptions(
    user_pk: int, workspace_id: int | None, token_id: int | None = None, barred: tuple[int, ...] = ()
) -> Subscriptions:
    """The groups a socket listens to: the user, each active workspace (not for guests) and each channel.

    Guests are kept out of workspace groups: those carry news of public channels they may not see.
    A deactivated user gets nothing, and neither does a socket whose token was revoked or whose
    token's workspace no longer has the user as an active member: this runs after the socket joined
    the user's group, so it also catches a deactivation or a revocation whose close was sent between
    the handshake and that join (`live` False). One SQL statement,
    not ORM queries: every socket runs this on connect, all at once in a reconnect storm, and
    building the ORM queries cost more than running them (docs/performance.md). `barred`: the workspaces
    whose sign-in policy the socket's session does not meet (identity.policy), left out as if not joined.
    """
    params: dict[str, int | None] = {"user": user_pk, "workspace": workspace_id, "token": token_id}
    params.update({f"barred{i}": pk for i, pk in enumerate(barred)})
    with connection.cursor() as cursor:
        cursor.execute(_subscriptions_sql(workspace_id, token_id, len(barred)), params)
        rows = cursor.fetchall()
    problem = next((public_id for kind, public_id, _ in rows if kind == "a"), "account_inactive")
    if problem:
        return Subscriptions(groups=[], workspaces=[], live=False, problem=problem)
    rows = [row for row in rows if row[0] != "a"]
    groups = [f"{kind}.{public_id}" for kind, public_id, role in rows if role != Role.GUEST]
    return Subscriptions(groups=groups, workspaces=[public_id for kind, public_id, _ in rows if kind == "w"])


@in_thread
def check_live_groups(user_pk: int, workspace_id: int | None, groups: list[str]) -> list[str]:
    """The groups of a live subscribe that this socket may join.

    Services only subscribe members; this keeps guests out of workspace groups and a token's
    socket inside its workspace.
    """
    user = active_user(user_pk)
    allowed: list[str] = []
    for group in groups:
        kind, _, public_id = group.partition(".")
        if kind == "w":
            memberships = Membership.objects.filter(user=user, workspace__public_id=public_id, is_active=True)
            if workspace_id is not None:
                memberships = memberships.filter(workspace_id=workspace_id)
            if memberships.exclude(role=Role.GUEST).exists():
                allowed.append(group)
        elif kind == "c" and (
            workspace_id is None or Channel.objects.filter(public_id=public_id, workspace_id=workspace_id).exists()
        ):
            allowed.append(group)
    return allowed


def _visible_channel(user: User, workspace_id: int | None, channel_id: str) -> Channel:
    return _visible_channel_and_member(user, workspace_id, channel_id)[0]


def _visible_channel_and_member(
    user: User, workspace_id: int | None, channel_id: str
) -> tuple[Channel, ChannelMember | None]:
    """The channel if the user may see it from this socket (a token's socket: only in its workspace), with
    the user's own row in it."""
    channel, member = selectors.channel_get_with_member(actor=user, public_id=channel_id)
    if workspace_id is not None and channel.workspace_id != workspace_id:
        raise DomainError(ErrorCode.CHANNEL_NOT_FOUND, "Channel not found.")
    return channel, member


@in_thread
def post_message(user_pk: int, workspace_id: int | None, data: dict[str, Any]) -> dict[str, Any]:
    """Post through chat.services.message_post; returns the reply's fields."""
    user = active_user(user_pk)
    channel = _visible_channel(user, workspace_id, data["channel"])
    message = services.message_post(
        sender=user,
        channel=channel,
        text=data["text"],
        thread_ts=data.get("thread_ts"),
        client_msg_id=data.get("client_msg_id"),
    )
    return {"channel": channel.public_id, "ts": message.ts, "seq": message.seq, "text": message.text}


@in_thread
def mark_read(user_pk: int, workspace_id: int | None, data: dict[str, Any]) -> dict[str, Any]:
    """Move the read marker through chat.services.channel_mark_read (by seq, or by a message's ts)."""
    user = active_user(user_pk)
    channel = _visible_channel(user, workspace_id, data["channel"])
    seq = data.get("seq")
    if seq is None:
        seq = unique_or_none(Message.objects.filter(channel=channel, ts=data["ts"]).values_list("seq", flat=True))
        if seq is None:
            raise DomainError(ErrorCode.MESSAGE_NOT_FOUND, "No message has that ts in this channel.")
    marked = services.channel_mark_read(actor=user, channel=channel, seq=seq)
    return {"channel": channel.public_id, "seq": marked.last_read_seq}


@in_thread
def presence_visible(user_pk: int, workspaces: tuple[str, ...], ids: list[str]) -> set[str]:
    """Which of these user ids the socket's user may see in the workspaces the socket acts in
    (chat.selectors.visible_people_ids): the people a presence_sub may follow."""
    return selectors.visible_people_ids(actor=active_user(user_pk), public_ids=ids, workspaces=workspaces)


@dataclass(frozen=True, slots=True)
class TypingTarget:
    """Where a user_typing event goes: the channel's last seq and its workspace's public id."""

    seq: int
    workspace: str


@in_thread
def typing_target(user_pk: int, workspace_id: int | None, channel_id: str) -> TypingTarget | None:
    """The channel's last seq and workspace for the user_typing event, or None when the channel has more
    members than settings.TYPING_MAX_CHANNEL_MEMBERS (nobody is told). The channel must be one the user
    is in. Raises channel_not_found or not_in_channel."""
    user = active_user(user_pk)
    channel, member = _visible_channel_and_member(user, workspace_id, channel_id)
    if member is None:
        raise DomainError(ErrorCode.NOT_IN_CHANNEL, "You are not a member of this channel.")
    if channel.kind in NAMED_KINDS and selectors.channel_has_more_members_than(
        channel=channel, limit=settings.TYPING_MAX_CHANNEL_MEMBERS
    ):
        return None
    return TypingTarget(channel.last_seq, channel.workspace.public_id)
