"""message_post: seq and ts, validation, client_msg_id retries, threads and mentions."""

import re

import pytest
from django.db import connection

from chat.models import Channel, ChannelMember, Mention, MentionKind, Message
from chat.services import channel_archive, channel_create, channel_invite, dm_open, message_delete, message_post
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import nothing_written, refused
from slackclone.testing.factories import BotFactory, add_member
from workspaces.services import member_deactivate

pytestmark = pytest.mark.django_db

TS_FORMAT = re.compile(r"^\d{10}\.\d{6}$")


def _post(team, text="hello", channel=None, sender=None, **kwargs) -> Message:
    return message_post(sender=sender or team.member, channel=channel or team.general, text=text, **kwargs)


def _ts_value(ts: str) -> tuple[int, int]:
    seconds, micros = ts.split(".")
    return int(seconds), int(micros)


# --- seq and ts ------------------------------------------------------------------------


def test_messages_are_numbered_1_2_3_with_no_gaps(team):
    messages = [_post(team, f"message {n}", sender=sender) for n, sender in enumerate([team.member, team.owner] * 2)]
    assert [m.seq for m in messages] == [1, 2, 3, 4]
    general = Channel.objects.get(pk=team.general.pk)
    assert general.last_seq == 4
    assert general.last_ts == messages[-1].ts


def test_ts_is_seconds_dot_micros_and_strictly_increases_with_seq(team):
    messages = [_post(team, f"message {n}") for n in range(5)]
    assert all(TS_FORMAT.match(m.ts) for m in messages)
    stored = list(Message.objects.filter(channel=team.general).order_by("seq").values_list("ts", flat=True))
    assert [_ts_value(ts) for ts in stored] == sorted({_ts_value(ts) for ts in stored})


def test_ts_stays_above_the_channel_last_ts_even_when_the_clock_is_behind(team):
    Channel.objects.filter(pk=team.general.pk).update(last_ts="4102444800.999999")  # the year 2100
    message = _post(team)
    assert message.ts == "4102444801.000000"


def test_each_channel_has_its_own_sequence(team):
    _post(team, channel=team.general)
    _post(team, channel=team.general)
    ChannelMember.objects.create(channel=team.random, user=team.member)
    assert _post(team, channel=team.random).seq == 1


def test_posting_marks_the_channel_read_for_the_sender(team):
    _post(team, sender=team.owner)
    message = _post(team)
    assert ChannelMember.objects.get(channel=team.general, user=team.member).last_read_seq == message.seq


# --- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n", None])
def test_empty_or_whitespace_message_is_no_text(team, text):
    _post(team, "first")
    with refused(ErrorCode.NO_TEXT):
        _post(team, text)


def test_message_of_40001_characters_is_msg_too_long(team):
    with refused(ErrorCode.MSG_TOO_LONG):
        _post(team, "x" * 40_001)


def test_message_of_exactly_40000_characters_is_stored_whole(team):
    message = _post(team, "x" * 40_000)
    assert len(Message.objects.get(pk=message.pk).text) == 40_000


def test_non_member_of_public_channel_is_not_in_channel(team):
    with refused(ErrorCode.NOT_IN_CHANNEL):
        _post(team, channel=team.random)


def test_non_member_of_private_channel_gets_channel_not_found(team):
    private = channel_create(actor=team.owner, workspace=team.workspace, name="board", is_private=True)
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        _post(team, channel=private, sender=team.admin)


def test_guest_cannot_post_in_a_channel_they_were_not_invited_to(team):
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        _post(team, sender=team.guest)


def test_member_of_another_workspace_gets_channel_not_found(team, outsider):
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        _post(team, sender=outsider)


def test_archived_channel_is_read_only(team):
    _post(team, channel=team.general, sender=team.owner)
    channel = channel_create(actor=team.member, workspace=team.workspace, name="old-project")
    _post(team, channel=channel)
    channel_archive(actor=team.member, channel=channel)
    with refused(ErrorCode.IS_ARCHIVED):
        _post(team, channel=channel)


def test_a_channel_archived_after_the_poster_loaded_it_is_refused_and_nothing_is_stored(team):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="closing")
    _post(team, channel=channel)
    loaded_before = Channel.objects.get(pk=channel.pk)
    channel_archive(actor=team.member, channel=channel)
    with refused(ErrorCode.IS_ARCHIVED):
        _post(team, channel=loaded_before)  # its copy still says open: the statement that numbers it decides
    assert Channel.objects.get(pk=channel.pk).last_seq == 1


def test_deactivated_member_is_account_inactive(team):
    member_deactivate(actor=team.admin, workspace=team.workspace, user=team.member)
    with refused(ErrorCode.ACCOUNT_INACTIVE):
        _post(team)


@pytest.mark.parametrize("client_msg_id", ["x" * 65, 42])
def test_bad_client_msg_id_is_invalid_arguments(team, client_msg_id):
    with refused(ErrorCode.INVALID_ARGUMENTS):
        _post(team, client_msg_id=client_msg_id)


# --- client_msg_id -----------------------------------------------------------------------


def test_retry_with_the_same_client_msg_id_returns_the_first_message_and_writes_nothing(team):
    first = _post(team, "once", client_msg_id="6f1f8f4c-retry")
    with nothing_written():
        retry = _post(team, "once", client_msg_id="6f1f8f4c-retry")
    assert retry.pk == first.pk
    assert retry.seq == first.seq
    assert Message.objects.filter(channel=team.general).count() == 1


def test_a_retry_is_refused_once_the_sender_has_been_deactivated(team):
    _post(team, "sent before", client_msg_id="late-retry")
    member_deactivate(actor=team.admin, workspace=team.workspace, user=team.member)
    with refused(ErrorCode.ACCOUNT_INACTIVE):
        _post(team, "sent before", client_msg_id="late-retry")


def test_client_msg_id_belongs_to_its_author(team):
    mine = _post(team, client_msg_id="same-id")
    theirs = _post(team, sender=team.owner, client_msg_id="same-id")
    assert mine.pk != theirs.pk
    assert (mine.seq, theirs.seq) == (1, 2)


def test_posts_without_client_msg_id_are_never_merged(team):
    assert _post(team, "same").pk != _post(team, "same").pk


# --- threads -----------------------------------------------------------------------------


def test_reply_counts_on_its_root_and_takes_the_next_channel_seq(team):
    root = _post(team, "root")
    first = _post(team, "first reply", sender=team.owner, thread_ts=root.ts)
    second = _post(team, "second reply", sender=team.admin, thread_ts=root.ts)
    root.refresh_from_db()
    assert (first.thread_root_id, second.thread_root_id) == (root.pk, root.pk)
    assert (first.seq, second.seq) == (2, 3)
    assert root.reply_count == 2
    assert root.latest_reply_ts == second.ts
    assert root.changed_at_seq == second.seq


def test_replying_to_a_reply_joins_the_roots_thread(team):
    root = _post(team, "root")
    reply = _post(team, "reply", thread_ts=root.ts)
    nested = _post(team, "reply to the reply", thread_ts=reply.ts)
    assert nested.thread_root_id == root.pk
    root.refresh_from_db()
    assert root.reply_count == 2
    assert Message.objects.get(pk=reply.pk).reply_count == 0


@pytest.mark.parametrize("thread_ts", ["1234567890.123456", "not-a-ts"])
def test_reply_to_an_unknown_ts_is_thread_not_found(team, thread_ts):
    _post(team, "root")
    with refused(ErrorCode.THREAD_NOT_FOUND):
        _post(team, "lost reply", thread_ts=thread_ts)


def test_reply_to_a_message_of_another_channel_is_thread_not_found(team):
    ChannelMember.objects.create(channel=team.random, user=team.member)
    elsewhere = _post(team, "in random", channel=team.random)
    with refused(ErrorCode.THREAD_NOT_FOUND):
        _post(team, "reply", channel=team.general, thread_ts=elsewhere.ts)


def test_reply_to_a_deleted_message_without_replies_is_thread_not_found(team):
    root = _post(team, "soon gone")
    message_delete(actor=team.member, message=root)
    with refused(ErrorCode.THREAD_NOT_FOUND):
        _post(team, "reply", thread_ts=root.ts)


def test_a_thread_lives_on_when_its_root_is_deleted(team):
    root = _post(team, "root")
    _post(team, "reply", sender=team.owner, thread_ts=root.ts)
    message_delete(actor=team.member, message=root)
    reply = _post(team, "another reply", sender=team.owner, thread_ts=root.ts)
    assert reply.thread_root_id == root.pk


# --- mentions ----------------------------------------------------------------------------


def _mentions(message):
    return {(m.kind, m.user_id) for m in Mention.objects.filter(message=message)}


def test_user_mentions_create_one_row_each_with_channel_and_seq(team):
    text = f"<@{team.owner.public_id}> and <@{team.admin.public_id}|adam>, again <@{team.owner.public_id}>"
    message = _post(team, text)
    assert _mentions(message) == {(MentionKind.USER, team.owner.pk), (MentionKind.USER, team.admin.pk)}
    assert set(Mention.objects.filter(message=message).values_list("channel_id", "seq")) == {
        (team.general.pk, message.seq)
    }


def test_broadcasts_are_stored_without_a_user(team):
    message = _post(team, "<!channel> <!here> <!everyone> heads up")
    assert _mentions(message) == {
        (MentionKind.CHANNEL, None),
        (MentionKind.HERE, None),
        (MentionKind.EVERYONE, None),
    }


def test_mention_of_someone_outside_the_workspace_creates_no_row(team, outsider):
    message = _post(team, f"<@{outsider.public_id}> <@UNOSUCHUSER1>")
    assert _mentions(message) == set()


def test_mention_in_a_private_channel_only_counts_for_its_members(team):
    private = channel_create(actor=team.member, workspace=team.workspace, name="hush", is_private=True)
    channel_invite(actor=team.member, channel=private, users=[team.owner])
    message = _post(team, f"<@{team.owner.public_id}> <@{team.admin.public_id}>", channel=private)
    assert _mentions(message) == {(MentionKind.USER, team.owner.pk)}


def test_guest_is_mentioned_only_in_channels_they_are_in(team):
    message = _post(team, f"<@{team.guest.public_id}> see this")
    assert _mentions(message) == set()
    channel_invite(actor=team.member, channel=team.general, users=[team.guest])
    message = _post(team, f"<@{team.guest.public_id}> now you can")
    assert _mentions(message) == {(MentionKind.USER, team.guest.pk)}


def test_deactivated_member_is_not_mentioned(team):
    member_deactivate(actor=team.owner, workspace=team.workspace, user=team.other_member)
    message = _post(team, f"<@{team.other_member.public_id}> are you there?")
    assert _mentions(message) == set()


def test_broadcasts_in_a_dm_are_not_stored_but_user_mentions_are(team):
    dm, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.owner])
    message = _post(team, f"<!channel> <@{team.owner.public_id}>", channel=dm)
    assert _mentions(message) == {(MentionKind.USER, team.owner.pk)}


def test_bot_posts_like_a_member(team):
    bot = add_member(team.workspace, BotFactory())
    message = _post(team, "beep", sender=bot)
    assert message.author.is_bot
    assert message.seq == 1


# --- Cost --------------------------------------------------------------------------------------


def test_a_plain_post_is_a_handful_of_statements_and_its_event_reads_nothing(
    team, django_assert_num_queries, django_capture_on_commit_callbacks
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite numbers a post in steps (number_message): its writers take turns on the whole database")
    _post(team, "warm up")
    # The sender's two memberships (one statement), the insert, one statement for the channel lock, seq, ts,
    # number and the sender's read marker, whether anyone asked to hear of every message (nobody: no outbox
    # row), and the test's savepoint for the service's transaction. A client_msg_id adds its look-up and a
    # savepoint around the insert, for a concurrent retry.
    with django_capture_on_commit_callbacks(execute=False) as after_commit, django_assert_num_queries(6) as posted:
        _post(team, "hello")
    with django_assert_num_queries(9):
        _post(team, "again", client_msg_id="cost-1")
    # The channel's row lock is taken by the last statement but one (the look-up of who asked for every
    # message) before the commit.
    statements = [query["sql"] for query in posted.captured_queries]
    assert statements[-3].lstrip().startswith("WITH claimed AS (")
    assert "notify_level = 'all'" in statements[-2]
    assert not any("outbox_outboxjob" in sql for sql in statements)
    # Nobody could be notified: no task is sent, and the event itself reads nothing.
    with django_assert_num_queries(0):
        for callback in after_commit:
            callback()
