"""channel_mark_read and the unread and mention counts read from chat.selectors.unread_counts."""

import pytest
from django.db import connection

from chat.models import ChannelMember
from chat.selectors import unread_counts
from chat.services import channel_mark_read, message_delete, message_post
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused
from slackclone.testing.plans import prepared_statements
from workspaces.services import member_deactivate

pytestmark = pytest.mark.django_db


def _post(team, sender, text="news", **kwargs):
    return message_post(sender=sender, channel=team.general, text=text, **kwargs)


def _counts(team, user):
    return unread_counts(user=user, workspace=team.workspace)[team.general.public_id]


def _marker(team, user) -> int:
    return ChannelMember.objects.get(channel=team.general, user=user).last_read_seq


def test_marking_read_moves_the_marker_forwards_and_back(team):
    for n in range(3):
        _post(team, team.owner, f"news {n}")
    channel_mark_read(actor=team.member, channel=team.general, seq=2)
    assert _marker(team, team.member) == 2
    channel_mark_read(actor=team.member, channel=team.general, seq=1)  # mark unread
    assert _marker(team, team.member) == 1


def test_a_seq_past_the_newest_message_is_clamped(team):
    _post(team, team.owner)
    _post(team, team.owner)
    member = channel_mark_read(actor=team.member, channel=team.general, seq=10_000)
    assert member.last_read_seq == _marker(team, team.member) == 2


def test_marking_read_answers_the_unread_count_after_the_marker_as_the_counts_do(team):
    root = _post(team, team.owner, "root")
    _post(team, team.owner, "reply", thread_ts=root.ts)
    _post(team, team.owner, "broadcast reply", thread_ts=root.ts, reply_broadcast=True)
    _post(team, team.member, "mine")
    message_delete(actor=team.owner, message=_post(team, team.owner, "gone"))
    _post(team, team.owner, "news")

    marked = channel_mark_read(actor=team.member, channel=team.general, seq=root.seq)

    assert marked.unread_count == _counts(team, team.member)["unread"] == 2
    assert channel_mark_read(actor=team.member, channel=team.general, seq=10_000).unread_count == 0


def test_marking_read_where_the_marker_already_is_writes_and_tells_nothing(team, django_capture_on_commit_callbacks):
    _post(team, team.owner)
    _post(team, team.owner)
    channel_mark_read(actor=team.member, channel=team.general, seq=1)
    with django_capture_on_commit_callbacks() as told:
        marked = channel_mark_read(actor=team.member, channel=team.general, seq=1)
    assert (marked.last_read_seq, marked.unread_count) == (1, 1)
    assert told == []


@pytest.mark.parametrize("seq", [-1, "3", 2.0, None, True])
def test_a_seq_that_is_not_a_whole_number_of_0_or_more_is_invalid_arguments(team, seq):
    _post(team, team.owner)
    with refused(ErrorCode.INVALID_ARGUMENTS):
        channel_mark_read(actor=team.member, channel=team.general, seq=seq)


def test_non_member_cannot_mark_a_channel_read(team):
    with refused(ErrorCode.NOT_IN_CHANNEL):
        channel_mark_read(actor=team.member, channel=team.random, seq=0)


def test_unread_counts_count_other_peoples_messages_after_the_marker(team):
    for n in range(3):
        _post(team, team.owner, f"news {n}")
    assert _counts(team, team.member) == {"unread": 3, "mentions": 0, "last_read_seq": 0, "last_seq": 3}
    channel_mark_read(actor=team.member, channel=team.general, seq=2)
    assert _counts(team, team.member)["unread"] == 1
    channel_mark_read(actor=team.member, channel=team.general, seq=3)
    assert _counts(team, team.member)["unread"] == 0


def test_own_messages_are_never_unread(team):
    _post(team, team.owner, "theirs")
    channel_mark_read(actor=team.member, channel=team.general, seq=0)
    _post(team, team.member, "mine")  # moves the marker, as reading does
    channel_mark_read(actor=team.member, channel=team.general, seq=0)
    assert _counts(team, team.member)["unread"] == 1


def test_thread_replies_are_not_channel_unreads_unless_broadcast(team):
    root = _post(team, team.member, "root")
    _post(team, team.owner, "reply", thread_ts=root.ts)
    assert _counts(team, team.member)["unread"] == 0
    _post(team, team.owner, "reply shown in the channel", thread_ts=root.ts, reply_broadcast=True)
    assert _counts(team, team.member)["unread"] == 1


def test_deleted_messages_are_not_unread(team):
    message = _post(team, team.owner)
    message_delete(actor=team.owner, message=message)
    assert _counts(team, team.member)["unread"] == 0


def test_mentions_of_me_and_broadcasts_count_once_per_message(team):
    _post(team, team.owner, f"<@{team.member.public_id}> ping")
    _post(team, team.owner, f"<!channel> and <@{team.member.public_id}>")
    _post(team, team.owner, f"<@{team.admin.public_id}> not you")
    _post(team, team.owner, "plain")
    assert _counts(team, team.member) == {"unread": 4, "mentions": 2, "last_read_seq": 0, "last_seq": 4}
    assert _counts(team, team.admin)["mentions"] == 2
    channel_mark_read(actor=team.member, channel=team.general, seq=2)
    assert _counts(team, team.member)["mentions"] == 0


def test_my_own_broadcast_is_not_a_mention_of_me(team):
    _post(team, team.member, "<!here> lunch?")
    channel_mark_read(actor=team.member, channel=team.general, seq=0)
    assert _counts(team, team.member)["mentions"] == 0


def test_counts_cover_only_my_channels_in_workspaces_where_i_am_active(team):
    counts = unread_counts(user=team.member)
    assert set(counts) == {team.general.public_id}
    member_deactivate(actor=team.owner, workspace=team.workspace, user=team.member)
    assert unread_counts(user=team.member) == {}


def test_marking_read_is_refused_to_a_deactivated_member(team):
    _post(team, team.owner)
    member_deactivate(actor=team.owner, workspace=team.workspace, user=team.member)
    with refused(ErrorCode.ACCOUNT_INACTIVE):
        channel_mark_read(actor=team.member, channel=team.general, seq=1)


def test_unread_counts_are_planned_for_each_reader_once_their_statement_is_prepared(team):
    """The counts steer the planner (no sequential scan); a generic plan, made once for any markers, would
    price every channel alike, and PostgreSQL reuses it when it prices it cheaper (here it is told to)."""
    _post(team, team.owner, "news")
    for _ in range(9):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        assert _counts(team, team.member)["unread"] == 1

    [prepared] = prepared_statements("count(DISTINCT n.message_id)")
    assert (prepared.generic_plans, prepared.custom_plans) == (0, 4)
