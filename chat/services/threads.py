"""Following threads and reading them, as Slack's and Mattermost's collapsed threads do.

A reply raises its thread's unread count for the people following it, never the channel's
(chat.selectors.unread counts top-level messages and replies also sent to the channel). People
follow a thread by starting it, replying to it or being mentioned in it (`follow_on_reply`, from
message_post), or by choice; an explicit unfollow stays until they follow again or reply again.
Every change reaches the person's own sockets as `thread_state_changed`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction

from chat import events
from chat.models import Channel, Mention, Message, ThreadFollow, ThreadPreference
from chat.permissions import access_channel
from chat.selectors.threads import thread_followers, unread_replies
from slackclone.errors import DomainError, ErrorCode
from slackclone.orm import unique_or_none
from workspaces.models import Workspace
from workspaces.permissions import access_membership

if TYPE_CHECKING:
    from accounts.models import User


def find_thread_root(channel: Channel, thread_ts: str) -> Message:
    """The root a reply attaches to; replying to a reply joins its thread, as in Slack."""
    root = unique_or_none(Message.objects.filter(channel=channel, ts=thread_ts).select_related("thread_root"))
    if root is None or (root.is_deleted and not root.reply_count):
        raise DomainError(ErrorCode.THREAD_NOT_FOUND, "The thread's first message was not found.")
    return root.thread_root or root


def _latest_reply(root: Message) -> tuple[int, str]:
    """(seq, ts) of the thread's newest live reply; the root's seq and no ts when it has none."""
    latest = root.replies.filter(deleted_at__isnull=True).order_by("-seq").values_list("seq", "ts").first()
    return latest if latest is not None else (root.seq, "")


def _unread_count(follow: ThreadFollow) -> int:
    return (
        Message.objects.filter(thread_root_id=follow.root_id, seq__gt=follow.last_read_seq, deleted_at__isnull=True)
        .exclude(author_id=follow.user_id)
        .count()
    )


def _send_state(actor: User, root: Message, follow: ThreadFollow | None) -> None:
    """The actor's state of the thread, to their own sockets (a thread they never followed: unfollowed, read)."""
    following = follow is not None and follow.following
    unread = _unread_count(follow) if follow is not None else 0
    last_read = follow.last_read_ts if follow is not None else ""
    event = events.thread_state_event(root, following=following, unread_count=unread, last_read=last_read)
    events.send_thread_states(root, [(actor, event)])


def _access_root(actor: User, channel: Channel, ts: str) -> Message:
    """The thread's root in a channel the actor may read (a reply's ts names its thread, as in Slack)."""
    access_channel(actor, channel)
    root = find_thread_root(channel, ts)
    root.channel = channel
    return root


@transaction.atomic
def thread_follow(*, actor: User, channel: Channel, ts: str) -> ThreadFollow:
    """Follow a thread: its new replies count as unread and notify the actor. Following anew starts
    from the latest reply; following again keeps the old read marker.

    Callers: anyone who may read the channel. Raises: channel_not_found, account_inactive,
    thread_not_found. Events: thread_state_changed, to the actor's sockets.
    """
    root = _access_root(actor, channel, ts)
    seq, latest_ts = _latest_reply(root)
    follow, created = ThreadFollow.objects.get_or_create(
        user=actor,
        root=root,
        defaults={"channel": channel, "following": True, "last_read_seq": seq, "last_read_ts": latest_ts},
    )
    if not created and not follow.following:
        follow.following = True
        follow.save(update_fields=["following"])
    _send_state(actor, root, follow)
    return follow


@transaction.atomic
def thread_unfollow(*, actor: User, channel: Channel, ts: str) -> ThreadFollow:
    """Stop following a thread: its replies neither count nor notify, and starting it, being mentioned
    in it or others' replies do not follow it again (the actor's own reply does).

    Callers: anyone who may read the channel. Raises: channel_not_found, account_inactive,
    thread_not_found. Events: thread_state_changed, to the actor's sockets.
    """
    root = _access_root(actor, channel, ts)
    seq, latest_ts = _latest_reply(root)
    follow, _ = ThreadFollow.objects.update_or_create(
        user=actor,
        root=root,
        defaults={"following": False},
        create_defaults={"channel": channel, "following": False, "last_read_seq": seq, "last_read_ts": latest_ts},
    )
    _send_state(actor, root, follow)
    return follow


@transaction.atomic
def thread_mark_read(*, actor: User, channel: Channel, ts: str) -> ThreadFollow | None:
    """Mark a thread read up to its latest reply. A thread the actor has never followed has no marker
    to move (None), so reading it does not decide whether they follow it later.

    Callers: anyone who may read the channel. Raises: channel_not_found, account_inactive,
    thread_not_found. Events: thread_state_changed, to the actor's sockets, when the marker moved.
    """
    root = _access_root(actor, channel, ts)
    follow = unique_or_none(ThreadFollow.objects.select_for_update().filter(user=actor, root=root))
    if follow is None:
        return None
    seq, latest_ts = _latest_reply(root)
    if follow.last_read_seq != seq:
        follow.last_read_seq, follow.last_read_ts = seq, latest_ts
        follow.save(update_fields=["last_read_seq", "last_read_ts"])
        _send_state(actor, root, follow)
    return follow


def follow_on_reply(*, root: Message, reply: Message, mentions: Sequence[Mention]) -> None:
    """A new reply: its author follows the thread and has read it; the root's author and the people it
    mentions (the root's mentions too, at the first reply) follow it unless they unfollowed it.

    Called by message_post inside its transaction, after the root's reply count moved.
    Events: thread_state_changed to every follower who may read the channel, with their unread count.
    """
    root.channel = reply.channel
    ThreadFollow.objects.bulk_create(
        [
            ThreadFollow(
                user_id=reply.author_id,
                root=root,
                channel_id=root.channel_id,
                last_read_seq=reply.seq,
                last_read_ts=reply.ts,
            )
        ],
        update_conflicts=True,
        unique_fields=["root", "user"],
        update_fields=["following", "last_read_seq", "last_read_ts"],
    )
    others = {root.author_id, *(mention.user_id for mention in mentions if mention.user_id)}
    if root.reply_count == 1:
        others.update(Mention.objects.filter(message=root, user__isnull=False).values_list("user_id", flat=True))
    others.discard(reply.author_id)
    ThreadFollow.objects.bulk_create(
        [
            ThreadFollow(user_id=user_id, root=root, channel_id=root.channel_id, last_read_seq=root.seq)
            for user_id in sorted(others)
        ],
        ignore_conflicts=True,
    )
    send_follower_states(root)


def send_follower_states(root: Message) -> None:
    """Every follower's state of the thread (one query for all their unread counts), to their sockets."""
    rows = thread_followers(root).annotate(unread=unread_replies()).select_related("user")
    states = [
        (
            row.user,
            events.thread_state_event(root, following=True, unread_count=row.unread, last_read=row.last_read_ts),
        )
        for row in rows.only("user__public_id", "last_read_ts", "root_id", "user_id")
    ]
    events.send_thread_states(root, states)


@transaction.atomic
def thread_preferences_set(*, actor: User, workspace: Workspace, new_replies: bool) -> dict[str, bool]:
    """Turn notifications of new replies in the threads the actor follows on or off, in one workspace.

    Callers: active members of the workspace. Raises: invalid_arguments (not a boolean),
    workspace_not_found, account_inactive. Events: none.
    """
    if not isinstance(new_replies, bool):
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS, "new_replies must be true or false.", fields={"new_replies": "invalid"}
        )
    access_membership(actor, workspace)
    ThreadPreference.objects.update_or_create(user=actor, workspace=workspace, defaults={"new_replies": new_replies})
    return {"new_replies": new_replies}
