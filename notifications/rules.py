"""Who is notified of a new message, and why: the rules, apart from the writing.

Recipients are only people who can see the message: members of its channel (for a DM, its
participants), active in the workspace, and never bots or the author. Then, per member:

- notify level "nothing": nothing, ever;
- muted: only a mention by name (Slack: a muted channel stays silent but for direct mentions);
- mentioned by name (<@U…>): MENTION;
- a DM or group DM: DM;
- <!channel> or <!everyone>: BROADCAST to every member; <!here>: BROADCAST to members online now;
- a thread reply: THREAD to the thread's followers (chat.models.ThreadFollow: who started it, replied
  or was mentioned in it, or chose to follow it, and has not unfollowed it) who keep their "new
  replies in threads I follow" preference on (chat.models.ThreadPreference);
- notify level "all": CHANNEL for every message shown in the channel (top level, or a reply
  also sent to the channel); the default level "mentions" stops before this line.

A mention of someone who is not in the channel notifies nobody (as in Slack: they cannot see it
until they are invited). Do-not-disturb hours do not change who is notified, only how: see
`dnd_until` and notifications.services.notify.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import connection

from accounts.models import User
from chat.models import ChannelKind, ChannelMember, Mention, MentionKind, Message, NotifyLevel
from chat.selectors.threads import thread_reply_notified
from notifications.models import NotificationReason
from slackclone.rawsql import Columns, split_row
from workspaces.models import Membership


@dataclass(frozen=True)
class Candidate:
    """A channel member who could be notified, with the preferences the rules read."""

    user_id: int
    public_id: str
    notify_level: str
    muted: bool
    email_notifications: bool
    timezone: str
    dnd_start: time | None
    dnd_end: time | None


@dataclass(frozen=True)
class MessageFacts:
    """What the rules need to know about a message, gathered once for all its candidates."""

    author_id: int
    is_direct: bool
    shown_in_channel: bool
    mentioned: frozenset[int]
    everyone: bool
    here: bool
    thread_followers: frozenset[int]


def notification_reason(
    candidate: Candidate, facts: MessageFacts, *, online: set[str] | None
) -> NotificationReason | None:
    """Why this member is notified of the message, or None. `online` None means presence is unknown."""
    if candidate.user_id == facts.author_id or candidate.notify_level == NotifyLevel.NOTHING:
        return None
    mentioned = candidate.user_id in facts.mentioned
    if candidate.muted:
        return NotificationReason.MENTION if mentioned else None
    if mentioned:
        return NotificationReason.MENTION
    if facts.is_direct:
        return NotificationReason.DM
    # Where presence cannot be known (the embedded default), @here reaches everyone, like @channel.
    here = facts.here and (online is None or candidate.public_id in online)
    if facts.everyone or here:
        return NotificationReason.BROADCAST
    if candidate.user_id in facts.thread_followers:
        return NotificationReason.THREAD
    if candidate.notify_level == NotifyLevel.ALL and facts.shown_in_channel:
        return NotificationReason.CHANNEL
    return None


def may_notify_anyone(message: Message, mentions: Sequence[Mention]) -> bool:
    """Whether any rule above could pick someone for this new message: a cheap test, so the work of
    finding out is queued only when it can find someone.

    A DM, a mention of any kind and a thread reply may notify; any other message only notifies the
    members who asked for every message, which one look-up in the channel_member_notify_all index tells
    (written out: every post runs it, and Django took longer to build it than PostgreSQL to run it).
    True is a superset of the messages that notify anyone; `notification_reason` still decides who.
    """
    if mentions or message.thread_root_id or message.channel.kind in (ChannelKind.DM, ChannelKind.GROUP_DM):
        return True
    with connection.cursor() as cursor:
        cursor.execute(_SOMEONE_HEARS_EVERY_MESSAGE_SQL, {"channel": message.channel_id, "author": message.author_id})
        return cursor.fetchone() is not None


# The partial index's condition, spelled as in its definition (chat.models.ChannelMember.Meta), so it serves.
_SOMEONE_HEARS_EVERY_MESSAGE_SQL = f"""
SELECT 1 FROM "{ChannelMember._meta.db_table}"
WHERE channel_id = %(channel)s AND notify_level = '{NotifyLevel.ALL.value}' AND NOT muted
  AND user_id IS DISTINCT FROM %(author)s
LIMIT 1
"""


def channel_candidates(message: Message, facts: MessageFacts) -> list[Candidate]:
    """Members of the message's channel the rules could notify: active people, in an active membership.

    A message that reaches every member (a DM, @channel, @everyone, @here) reads them all. Any other
    reads only those a rule above can pick (the people it names, the thread's followers, members
    who asked for every message), so a post in a channel of thousands reads a few rows, not thousands.
    This is a superset of the recipients; `notification_reason` still decides each one.
    """
    params: dict[str, int | str] = {
        "channel": message.channel_id,
        "workspace": message.channel.workspace_id,
        "author": message.author_id,
        "nothing": NotifyLevel.NOTHING.value,
        "all": NotifyLevel.ALL.value,
    }
    narrowed = _narrowed_to_who_could_be_notified(facts, params)
    if narrowed is None:
        return []
    # One plain fetch, not a server-side cursor: PostgreSQL plans one for its first rows and then runs
    # that plan to the end when the cursor is held past the commit, which costs many times the fetch.
    with connection.cursor() as cursor:
        cursor.execute(_CANDIDATES_SQL.format(narrowed=narrowed), params)
        rows = cursor.fetchall()
    candidates = []
    for row in rows:
        member, user = split_row(row, _CANDIDATE_MEMBER, _CANDIDATE_USER)
        candidates.append(
            Candidate(
                member.user_id,
                user.public_id,
                member.notify_level,
                member.muted,
                user.email_notifications,
                user.timezone,
                user.dnd_start,
                user.dnd_end,
            )
        )
    return candidates


def _narrowed_to_who_could_be_notified(facts: MessageFacts, params: dict[str, int | str]) -> str | None:
    """The condition that keeps only the members a rule could pick ("" for all of them; None: nobody),
    its parameters added to `params`."""
    if facts.is_direct or facts.everyone or facts.here:
        return ""
    named = sorted(facts.mentioned | facts.thread_followers)
    params.update({f"named{i}": user_id for i, user_id in enumerate(named)})
    placeholders = ", ".join(f"%(named{i})s" for i in range(len(named)))
    could_be_notified = [f"cm.user_id IN ({placeholders})"] if named else []
    if facts.shown_in_channel:
        could_be_notified.append("(cm.notify_level = %(all)s AND NOT cm.muted)")
    return f"AND ({' OR '.join(could_be_notified)})" if could_be_notified else None


# Written out once, not built per message: a notification's reading cost more to build than to run.
_CANDIDATE_MEMBER = Columns(ChannelMember, "cm", only=("id", "user", "notify_level", "muted"))
_CANDIDATE_USER = Columns(
    User, "u", only=("id", "public_id", "email_notifications", "timezone", "dnd_start", "dnd_end")
)
_CANDIDATES_SQL = f"""
SELECT {_CANDIDATE_MEMBER.sql}, {_CANDIDATE_USER.sql}
FROM "{ChannelMember._meta.db_table}" cm
JOIN "{User._meta.db_table}" u ON u.id = cm.user_id
WHERE cm.channel_id = %(channel)s AND u.is_active AND NOT u.is_bot
  AND EXISTS (
    SELECT 1 FROM "{Membership._meta.db_table}" m
    WHERE m.user_id = cm.user_id AND m.workspace_id = %(workspace)s AND m.is_active
  )
  AND cm.user_id <> %(author)s AND cm.notify_level <> %(nothing)s
  {{narrowed}}
"""


def message_facts(message: Message) -> MessageFacts:
    mentions = list(Mention.objects.filter(message=message).values_list("kind", "user_id"))
    followers: frozenset[int] = frozenset()
    root = message.thread_root
    if root is not None:
        root.channel = message.channel
        followers = thread_reply_notified(root)
    kinds = {kind for kind, _ in mentions}
    return MessageFacts(
        author_id=message.author_id,
        is_direct=message.channel.kind in (ChannelKind.DM, ChannelKind.GROUP_DM),
        shown_in_channel=message.thread_root_id is None or message.reply_broadcast,
        mentioned=frozenset(user_id for kind, user_id in mentions if kind == MentionKind.USER and user_id),
        everyone=bool(kinds & {MentionKind.CHANNEL, MentionKind.EVERYONE}),
        here=MentionKind.HERE in kinds,
        thread_followers=followers,
    )


def dnd_until(*, timezone_name: str, start: time | None, end: time | None, now: datetime) -> datetime | None:
    """When the person's do-not-disturb window ends, if `now` is inside it; None otherwise.

    The window is in their own time zone and may run past midnight (22:00 to 07:00).
    """
    if start is None or end is None or start == end:
        return None
    try:
        tz = zoneinfo.ZoneInfo(timezone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("UTC")
    local = now.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    today = local.date()
    if start < end:
        inside, end_day = start <= clock < end, today
    elif clock >= start:
        inside, end_day = True, today + timedelta(days=1)
    else:
        inside, end_day = clock < end, today
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=tz)
