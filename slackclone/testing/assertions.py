"""Assertions for the rule "bad input gets a clear error and loses nothing".

`refused(code)` wraps one service call: it must raise DomainError with exactly that code,
and afterwards every row of every chat, workspace and account table must be as it was
(so row counts, `Channel.last_seq`, read markers, invitation uses... are all unchanged),
and no real-time event may be left scheduled for commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection

from accounts.models import ApiToken, User
from chat.models import Attachment, Channel, ChannelMember, Mention, Message, Pin, Reaction
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Invitation, Membership, UserGroup, UserGroupMember, Workspace

WATCHED_MODELS = (
    User,
    ApiToken,
    Workspace,
    Membership,
    Invitation,
    UserGroup,
    UserGroupMember,
    Channel,
    ChannelMember,
    Message,
    Mention,
    Reaction,
    Pin,
    Attachment,
)


def database_snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every watched table, in primary-key order (test databases are small).

    On PostgreSQL one query returns every table as JSON, so a refusal costs two round trips.
    """
    if connection.vendor != "postgresql":
        return {model.__name__: list(model.objects.order_by("pk").values()) for model in WATCHED_MODELS}
    sql = " UNION ALL ".join(
        f"SELECT '{model.__name__}', (SELECT coalesce(json_agg(t ORDER BY t.id), '[]') "
        f"FROM {connection.ops.quote_name(model._meta.db_table)} t)"
        for model in WATCHED_MODELS
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def _describe_changes(before: dict, after: dict) -> str:
    lines = []
    for name in before:
        if before[name] == after[name]:
            continue
        lines.append(f"{name}: {len(before[name])} rows before, {len(after[name])} after")
        old = {row["id"]: row for row in before[name]}
        for row in after[name]:
            if row["id"] not in old:
                lines.append(f"  added {row}")
            elif old[row["id"]] != row:
                changed = {k: (old[row["id"]][k], v) for k, v in row.items() if old[row["id"]][k] != v}
                lines.append(f"  changed id={row['id']}: {changed}")
        new_ids = {row["id"] for row in after[name]}
        lines += [f"  removed {row}" for row in before[name] if row["id"] not in new_ids]
    return "\n".join(lines)


@contextmanager
def nothing_written() -> Iterator[None]:
    """The block may do anything except change the database or leave events scheduled."""
    before = database_snapshot()
    callbacks_before = len(connection.run_on_commit)
    yield
    after = database_snapshot()
    assert before == after, "a refused call changed the database:\n" + _describe_changes(before, after)
    assert len(connection.run_on_commit) == callbacks_before, "a refused call left events scheduled for commit"


@contextmanager
def refused(code: ErrorCode | str) -> Iterator[pytest.ExceptionInfo[DomainError]]:
    """The block must raise DomainError(code), with a readable message, and write nothing."""
    expected = ErrorCode(code)
    with nothing_written(), pytest.raises(DomainError) as info:
        yield info
    error = info.value
    assert error.code == expected, f"expected {expected.value}, got {error.code.value}: {error.message}"
    assert error.message.strip(), "a domain error needs a message people can read"
