"""Following threads: automatic follows, follow/unfollow/read, per-thread unread counts, and their events."""

import importlib

import pytest

from chat.models import ThreadFollow
from chat.selectors import followed_threads, unread_counts, unread_threads_count
from chat.services import (
    channel_create,
    channel_invite,
    channel_leave,
    message_delete,
    message_post,
    thread_follow,
    thread_mark_read,
    thread_preferences_set,
    thread_unfollow,
)
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused
from slackclone.testing.factories import make_team

pytestmark = pytest.mark.django_db


def _thread(team, text="plan?"):
    return message_post(sender=team.member, channel=team.general, text=text)


def _reply(team, root, sender, text="yes"):
    return message_post(sender=sender, channel=team.general, text=text, thread_ts=root.ts)


def _threads(team, user):
    threads, _ = followed_threads(user=user, workspace=team.workspace, is_guest=False)
    return [(thread.root.ts, thread.unread_count) for thread in threads]


def _unread_threads(team, user):
    return unread_threads_count(user=user, workspace=team.workspace, is_guest=False)


def test_a_reply_raises_the_thread_unread_of_its_starter_not_the_channel(team):
    root = _thread(team)
    _reply(team, root, team.owner)
    assert _threads(team, team.member) == [(root.ts, 1)]
    assert _unread_threads(team, team.member) == 1
    assert unread_counts(user=team.member, workspace=team.workspace)[team.general.public_id]["unread"] == 0
    # The replier follows it too, and has read their own reply.
    assert _threads(team, team.owner) == [(root.ts, 0)]


def test_marking_a_thread_read_clears_its_unread(team):
    root = _thread(team)
    _reply(team, root, team.owner)
    _reply(team, root, team.admin)
    assert _threads(team, team.member) == [(root.ts, 2)]
    thread_mark_read(actor=team.member, channel=team.general, ts=root.ts)
    assert _threads(team, team.member) == [(root.ts, 0)]
    assert _unread_threads(team, team.member) == 0


def test_a_mention_in_a_reply_follows_the_thread(team):
    root = _thread(team)
    _reply(team, root, team.owner, f"<@{team.other_member.public_id}> look")
    assert _threads(team, team.other_member) == [(root.ts, 1)]


def test_a_mention_in_the_root_follows_the_thread_at_its_first_reply(team):
    root = _thread(team, f"<@{team.admin.public_id}> plan?")
    _reply(team, root, team.owner)
    assert _threads(team, team.admin) == [(root.ts, 1)]


def test_an_explicit_unfollow_sticks_until_the_person_replies_again(team):
    root = _thread(team)
    _reply(team, root, team.owner)
    thread_unfollow(actor=team.member, channel=team.general, ts=root.ts)
    _reply(team, root, team.admin, f"<@{team.member.public_id}> ping")
    assert _threads(team, team.member) == []
    assert _unread_threads(team, team.member) == 0
    _reply(team, root, team.member, "back")
    assert _threads(team, team.member) == [(root.ts, 0)]


def test_the_starter_can_unfollow_before_any_reply(team):
    root = _thread(team)
    thread_unfollow(actor=team.member, channel=team.general, ts=root.ts)
    _reply(team, root, team.owner)
    assert _threads(team, team.member) == []


def test_following_a_thread_starts_from_its_latest_reply(team):
    root = _thread(team)
    _reply(team, root, team.owner)
    thread_follow(actor=team.other_member, channel=team.general, ts=root.ts)
    assert _threads(team, team.other_member) == [(root.ts, 0)]
    _reply(team, root, team.owner, "more")
    assert _threads(team, team.other_member) == [(root.ts, 1)]


def test_following_by_a_replys_ts_follows_its_thread(team):
    root = _thread(team)
    reply = _reply(team, root, team.owner)
    follow = thread_follow(actor=team.other_member, channel=team.general, ts=reply.ts)
    assert follow.root_id == root.pk


def test_threads_come_newest_activity_first_and_page_by_keyset(team):
    roots = [_thread(team, f"t{n}") for n in range(3)]
    for root in roots:
        _reply(team, root, team.owner)
    _reply(team, roots[0], team.owner, "again")
    assert [ts for ts, _ in _threads(team, team.member)] == [roots[0].ts, roots[2].ts, roots[1].ts]
    first, more = followed_threads(user=team.member, workspace=team.workspace, is_guest=False, limit=2)
    assert more
    last = first[-1].root
    rest, more = followed_threads(
        user=team.member,
        workspace=team.workspace,
        is_guest=False,
        before=(last.latest_reply_ts, last.pk),
        limit=2,
    )
    assert [thread.root.ts for thread in rest] == [roots[1].ts]
    assert not more


def test_the_view_shows_the_newest_replies_oldest_first(team):
    root = _thread(team)
    for text in ("one", "two", "three"):
        _reply(team, root, team.owner, text)
    (thread,), _ = followed_threads(user=team.member, workspace=team.workspace, is_guest=False)
    assert [reply.text for reply in thread.latest_replies] == ["two", "three"]


def test_deleted_replies_do_not_count(team):
    root = _thread(team)
    reply = _reply(team, root, team.owner)
    _reply(team, root, team.owner, "two")
    message_delete(actor=team.owner, message=reply)
    assert _threads(team, team.member) == [(root.ts, 1)]


def test_threads_of_a_private_channel_left_are_left_out(team):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="secret", is_private=True)
    channel_invite(actor=team.member, channel=channel, users=[team.owner])
    root = message_post(sender=team.member, channel=channel, text="psst")
    message_post(sender=team.owner, channel=channel, text="ok", thread_ts=root.ts)
    assert _unread_threads(team, team.member) == 1
    channel_leave(actor=team.member, channel=channel)
    assert _threads(team, team.member) == []
    assert _unread_threads(team, team.member) == 0


def test_a_non_member_of_a_private_channel_cannot_follow_its_threads(team):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="secret", is_private=True)
    root = message_post(sender=team.member, channel=channel, text="psst")
    for service in (thread_follow, thread_unfollow, thread_mark_read):
        with refused(ErrorCode.CHANNEL_NOT_FOUND):
            service(actor=team.other_member, channel=channel, ts=root.ts)
    assert not ThreadFollow.objects.filter(user=team.other_member).exists()


def test_a_guest_cannot_follow_a_thread_of_a_channel_they_are_not_in(team):
    root = _thread(team)
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        thread_follow(actor=team.guest, channel=team.general, ts=root.ts)


def test_someone_of_another_workspace_cannot_follow(team):
    other = make_team()
    root = _thread(team)
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        thread_follow(actor=other.member, channel=team.general, ts=root.ts)


def test_an_unknown_thread_is_thread_not_found(team):
    with refused(ErrorCode.THREAD_NOT_FOUND):
        thread_follow(actor=team.member, channel=team.general, ts="1.000001")


def test_marking_read_a_thread_never_followed_writes_nothing(team):
    root = _thread(team)
    assert thread_mark_read(actor=team.other_member, channel=team.general, ts=root.ts) is None
    assert not ThreadFollow.objects.filter(user=team.other_member).exists()


def test_the_preference_must_be_a_boolean(team):
    with refused(ErrorCode.INVALID_ARGUMENTS):
        thread_preferences_set(actor=team.member, workspace=team.workspace, new_replies="no")


def test_the_preference_is_refused_outside_ones_workspace(team):
    other = make_team()
    with refused(ErrorCode.WORKSPACE_NOT_FOUND):
        thread_preferences_set(actor=other.member, workspace=team.workspace, new_replies=False)


def test_a_reply_tells_every_follower_their_own_unread_count(team, sent_events, django_capture_on_commit_callbacks):
    root = _thread(team)
    with django_capture_on_commit_callbacks(execute=True):
        _reply(team, root, team.owner)
    states = {event["unread_count"] for event in sent_events.of_type("thread_state_changed")}
    assert states == {0, 1}
    events = sent_events.of_type("thread_state_changed")
    assert all(event["thread_ts"] == root.ts and event["reply_count"] == 1 for event in events)


def test_follow_unfollow_and_read_tell_the_actor(team, layer_listener, django_capture_on_commit_callbacks):
    root = _thread(team)
    _reply(team, root, team.owner)
    listener = layer_listener(f"u.{team.member.public_id}")
    with django_capture_on_commit_callbacks(execute=True):
        thread_mark_read(actor=team.member, channel=team.general, ts=root.ts)
        thread_unfollow(actor=team.member, channel=team.general, ts=root.ts)
    events = [listener.receive_event(), listener.receive_event()]
    assert [(event["unread_count"], event["following"]) for event in events] == [(0, True), (0, False)]


def test_a_mention_in_a_reply_counts_in_the_thread_not_the_channels_mentions(team):
    root = _thread(team)
    _reply(team, root, team.owner, f"<@{team.other_member.public_id}> look")
    counts = unread_counts(user=team.other_member, workspace=team.workspace)[team.general.public_id]
    assert (counts["unread"], counts["mentions"]) == (1, 0)  # the root only
    _reply(team, root, team.owner, f"<@{team.other_member.public_id}> here too")
    message_post(
        sender=team.owner,
        channel=team.general,
        text=f"<@{team.other_member.public_id}> and in the channel",
        thread_ts=root.ts,
        reply_broadcast=True,
    )
    counts = unread_counts(user=team.other_member, workspace=team.workspace)[team.general.public_id]
    assert (counts["unread"], counts["mentions"]) == (2, 1)


def test_the_migration_follows_existing_threads_read_to_their_latest_reply(team):
    from django.apps import apps

    migration = importlib.import_module("chat.migrations.0012_thread_follows")
    root = _thread(team)
    reply = _reply(team, root, team.owner)
    ThreadFollow.objects.all().delete()
    migration.follow_existing_threads(apps, None)
    rows = ThreadFollow.objects.filter(root=root).values_list("user_id", "following", "last_read_seq", "last_read_ts")
    assert sorted(rows) == sorted(
        [(team.member.pk, True, reply.seq, reply.ts), (team.owner.pk, True, reply.seq, reply.ts)]
    )
