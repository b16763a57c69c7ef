"""messages_bulk_insert: history in batches, with the invariants message_post keeps."""

from datetime import timedelta

import pytest

from chat.models import Channel, ChannelKind, ChannelMember, Mention, MentionKind, Message, Reaction
from chat.services import bulk, message_post
from chat.services.bulk import BulkMessage, messages_bulk_insert, micros_to_datetime
from chat.services.locking import micros_to_ts, ts_to_micros
from chat.services.messages import BOT_USERNAME_MAX_LENGTH
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused
from slackclone.testing.factories import BotFactory, ChannelFactory, ChannelMemberFactory, add_member

pytestmark = pytest.mark.django_db

JAN_2023_US = 1_672_531_200_000_000  # 2023-01-01T00:00:00Z


def _rows(author, count: int, *, start_us: int = JAN_2023_US, step_us: int = 1_000_000) -> list[BulkMessage]:
    return [BulkMessage(author_id=author.pk, text=f"old {n}", at_us=start_us + n * step_us) for n in range(count)]


def _stored(channel: Channel) -> list[Message]:
    return list(Message.objects.filter(channel=channel).order_by("seq"))


# --- seq and ts ------------------------------------------------------------------------


def test_seq_has_no_gaps_across_a_batch_and_the_live_posts_around_it(team):
    first = message_post(sender=team.member, channel=team.general, text="before")
    rows = _rows(team.member, 3)
    messages_bulk_insert(channel=team.general, rows=rows)
    after = message_post(sender=team.owner, channel=team.general, text="after")

    stored = _stored(team.general)
    assert [m.seq for m in stored] == [1, 2, 3, 4, 5]
    assert (first.seq, [row.seq for row in rows], after.seq) == (1, [2, 3, 4], 5)
    general = Channel.objects.get(pk=team.general.pk)
    assert (general.last_seq, general.last_ts) == (5, after.ts)
    assert [m.pk for m in stored[1:4]] == [row.pk for row in rows]


def test_history_keeps_the_times_it_was_given_when_they_are_above_the_channels_last_ts(team):
    rows = _rows(team.member, 3)
    messages_bulk_insert(channel=team.general, rows=rows)

    stored = _stored(team.general)
    assert [m.ts for m in stored] == [micros_to_ts(JAN_2023_US + n * 1_000_000) for n in range(3)]
    assert [m.created_at for m in stored] == [micros_to_datetime(JAN_2023_US + n * 1_000_000) for n in range(3)]
    assert Channel.objects.get(pk=team.general.pk).last_ts == stored[-1].ts


def test_times_not_above_the_last_ts_are_restamped_just_after_it_and_keep_their_created_at(team):
    live = message_post(sender=team.member, channel=team.general, text="now")
    rows = [BulkMessage(author_id=team.member.pk, text=f"old {n}", at_us=JAN_2023_US) for n in range(3)]
    messages_bulk_insert(channel=team.general, rows=rows)

    last_us = ts_to_micros(live.ts)
    assert [row.ts for row in rows] == [micros_to_ts(last_us + n) for n in (1, 2, 3)]
    stored = _stored(team.general)
    assert [ts_to_micros(m.ts) for m in stored] == sorted({ts_to_micros(m.ts) for m in stored})
    assert {m.created_at for m in stored[1:]} == {micros_to_datetime(JAN_2023_US)}


def test_a_time_that_goes_back_within_the_batch_is_moved_after_the_one_before(team):
    rows = _rows(team.member, 3, start_us=JAN_2023_US, step_us=-10)
    messages_bulk_insert(channel=team.general, rows=rows)

    assert [row.ts for row in rows] == [micros_to_ts(JAN_2023_US + n) for n in range(3)]


def test_an_empty_batch_writes_nothing(team):
    messages_bulk_insert(channel=team.general, rows=[])

    assert not Message.objects.exists()
    assert Channel.objects.get(pk=team.general.pk).last_seq == 0


# --- threads ---------------------------------------------------------------------------


def test_roots_of_the_batch_count_their_replies_and_tombstones_are_not_counted(team):
    root, *replies = _rows(team.member, 4)
    for reply in replies:
        reply.thread_root = root
    replies[-1].deleted_at = replies[-1].created_at
    messages_bulk_insert(channel=team.general, rows=[root, *replies])

    stored = Message.objects.get(pk=root.pk)
    assert (stored.reply_count, stored.latest_reply_ts, stored.changed_at_seq) == (2, replies[-1].ts, 4)
    assert list(stored.replies.order_by("seq").values_list("pk", flat=True)) == [r.pk for r in replies]


def test_replies_to_an_older_root_recount_it_and_count_as_a_change_to_the_channel(team):
    root = message_post(sender=team.member, channel=team.general, text="root")
    change_count = Channel.objects.get(pk=team.general.pk).change_count
    reply = BulkMessage(author_id=team.owner.pk, text="late reply", at_us=JAN_2023_US, thread_root=root.pk)
    messages_bulk_insert(channel=team.general, rows=[reply])

    root.refresh_from_db()
    assert (root.reply_count, root.latest_reply_ts, root.changed_at_seq) == (1, reply.ts, reply.seq)
    assert Channel.objects.get(pk=team.general.pk).change_count == change_count + 1


def test_a_reply_must_name_an_earlier_top_level_row_of_the_batch(team):
    root, reply = _rows(team.member, 2)
    reply.thread_root = root

    with refused(ErrorCode.INVALID_ARGUMENTS):
        messages_bulk_insert(channel=team.general, rows=[reply, root])
    nested = BulkMessage(author_id=team.member.pk, text="nested", at_us=JAN_2023_US + 5, thread_root=reply)
    with refused(ErrorCode.INVALID_ARGUMENTS):
        messages_bulk_insert(channel=team.general, rows=[root, reply, nested])


# --- one channel only ------------------------------------------------------------------


def test_rows_go_only_into_the_given_channel(team):
    ChannelMember.objects.create(channel=team.random, user=team.member)
    message_post(sender=team.member, channel=team.random, text="in random")
    random_before = Channel.objects.values("last_seq", "last_ts", "change_count").get(pk=team.random.pk)
    rows = _rows(team.member, 5)
    rows[1].text = f"<@{team.member.public_id}> <!channel>"
    rows[2].reactions.append((team.owner.pk, "tada", JAN_2023_US))
    messages_bulk_insert(channel=team.general, rows=rows)

    assert set(Message.objects.filter(pk__in=[r.pk for r in rows]).values_list("channel", flat=True)) == {
        team.general.pk
    }
    assert set(Mention.objects.values_list("channel", flat=True)) == {team.general.pk}
    assert Message.objects.filter(channel=team.random).count() == 1
    assert Channel.objects.values("last_seq", "last_ts", "change_count").get(pk=team.random.pk) == random_before


def test_a_thread_root_in_another_channel_is_refused(team):
    ChannelMember.objects.create(channel=team.random, user=team.member)
    elsewhere = message_post(sender=team.member, channel=team.random, text="in random")
    reply = BulkMessage(author_id=team.member.pk, text="reply", at_us=JAN_2023_US, thread_root=elsewhere.pk)

    with refused(ErrorCode.INVALID_ARGUMENTS):
        messages_bulk_insert(channel=team.general, rows=[reply])


# --- what each row carries -------------------------------------------------------------


def test_bot_display_is_cut_to_message_posts_limits_and_kept_only_for_bots(team):
    bot = add_member(team.workspace, BotFactory())
    long_name = "n" * (BOT_USERNAME_MAX_LENGTH + 20)
    rows = [
        BulkMessage(
            author_id=bot.pk, text="a", at_us=JAN_2023_US, bot_username=long_name, bot_icon_emoji=":robot_face:"
        ),
        BulkMessage(author_id=bot.pk, text="b", at_us=JAN_2023_US + 1, bot_icon_emoji="not an emoji!"),
        BulkMessage(author_id=bot.pk, text="c", at_us=JAN_2023_US + 2, bot_icon_url="https://x.test/" + "i" * 500),
        BulkMessage(author_id=bot.pk, text="d", at_us=JAN_2023_US + 3, bot_icon_url="javascript:alert(1)"),
        BulkMessage(author_id=bot.pk, text="e", at_us=JAN_2023_US + 4, bot_icon_url="https://x.test/icon.png"),
        BulkMessage(author_id=team.member.pk, text="f", at_us=JAN_2023_US + 5, bot_username="Not Me"),
    ]
    messages_bulk_insert(channel=team.general, rows=rows)

    shown = list(
        Message.objects.filter(channel=team.general)
        .order_by("seq")
        .values_list("bot_username", "bot_icon_emoji", "bot_icon_url")
    )
    assert shown == [
        ("n" * BOT_USERNAME_MAX_LENGTH, ":robot_face:", ""),
        ("", "", ""),
        ("", "", ""),
        ("", "", ""),
        ("", "", "https://x.test/icon.png"),
        ("", "", ""),
    ]


def test_mentions_reach_only_people_who_can_see_the_channel_and_broadcasts_skip_dms(team):
    private = ChannelFactory(workspace=team.workspace, kind=ChannelKind.PRIVATE)
    ChannelMemberFactory(channel=private, user=team.member)
    text = f"<@{team.member.public_id}> <@{team.other_member.public_id}> <!here>"
    messages_bulk_insert(channel=private, rows=[BulkMessage(author_id=team.member.pk, text=text, at_us=JAN_2023_US)])
    dm = ChannelFactory(workspace=team.workspace, kind=ChannelKind.DM, name=None)
    ChannelMemberFactory(channel=dm, user=team.member)
    messages_bulk_insert(channel=dm, rows=[BulkMessage(author_id=team.member.pk, text=text, at_us=JAN_2023_US)])

    in_private = set(Mention.objects.filter(channel=private).values_list("kind", "user", "seq"))
    assert in_private == {(MentionKind.USER, team.member.pk, 1), (MentionKind.HERE, None, 1)}
    assert set(Mention.objects.filter(channel=dm).values_list("kind", "user")) == {(MentionKind.USER, team.member.pk)}


def test_reactions_are_stored_once_per_person_and_emoji(team):
    row = BulkMessage(author_id=team.member.pk, text="react to me", at_us=JAN_2023_US)
    row.reactions += [(team.owner.pk, "tada", JAN_2023_US + 5), (team.owner.pk, "tada", JAN_2023_US + 9)]
    row.reactions.append((team.admin.pk, "eyes", JAN_2023_US + 7))
    messages_bulk_insert(channel=team.general, rows=[row])

    stored = set(Reaction.objects.filter(message_id=row.pk).values_list("user", "emoji", "created_at"))
    assert stored == {
        (team.owner.pk, "tada", micros_to_datetime(JAN_2023_US + 5)),
        (team.admin.pk, "eyes", micros_to_datetime(JAN_2023_US + 7)),
    }


def test_authors_have_read_their_own_top_level_messages_only_when_asked(team):
    messages_bulk_insert(channel=team.general, rows=_rows(team.member, 2))
    assert ChannelMember.objects.get(channel=team.general, user=team.member).last_read_seq == 0

    root, reply = _rows(team.owner, 2, start_us=JAN_2023_US + 60_000_000)
    reply.thread_root = root
    messages_bulk_insert(channel=team.general, rows=[root, reply], mark_read_by_authors=True)
    assert ChannelMember.objects.get(channel=team.general, user=team.owner).last_read_seq == root.seq == 3


def test_both_writers_store_the_same_rows(team, monkeypatch):
    """PostgreSQL takes COPY and the embedded SQLite default bulk_create; each row must come out the same."""
    bot = add_member(team.workspace, BotFactory())
    ChannelMember.objects.create(channel=team.random, user=team.member)

    def batch() -> list[BulkMessage]:
        root = BulkMessage(
            author_id=bot.pk,
            text="tab\there, line\nbreak, back\\slash <!channel>",
            at_us=JAN_2023_US,
            bot_username="Deploy\tBot",
            bot_icon_url="https://x.test/i.png",
        )
        reply = BulkMessage(
            author_id=team.member.pk,
            text=f"<@{team.member.public_id}> edited",
            at_us=JAN_2023_US + 1,
            thread_root=root,
            reply_broadcast=True,
            edited_at=micros_to_datetime(JAN_2023_US) + timedelta(hours=1),
        )
        gone = BulkMessage(author_id=team.member.pk, text="", at_us=JAN_2023_US + 2, thread_root=root)
        gone.deleted_at = gone.created_at
        reply.reactions.append((team.owner.pk, "+1", JAN_2023_US + 3))
        return [root, reply, gone]

    messages_bulk_insert(channel=team.general, rows=batch())
    monkeypatch.setattr(bulk, "_rows_writer", lambda: bulk._orm_rows)
    messages_bulk_insert(channel=team.random, rows=batch())

    def written(channel: Channel) -> tuple[list, list, list]:
        messages = Message.objects.filter(channel=channel).order_by("seq")
        return (
            list(
                messages.values_list(
                    "seq",
                    "ts",
                    "text",
                    "author",
                    "reply_broadcast",
                    "reply_count",
                    "latest_reply_ts",
                    "changed_at_seq",
                    "created_at",
                    "edited_at",
                    "deleted_at",
                    "bot_username",
                    "bot_icon_emoji",
                    "bot_icon_url",
                    "thread_root__seq",
                )
            ),
            list(Mention.objects.filter(channel=channel).order_by("seq", "kind").values_list("seq", "kind", "user")),
            list(
                Reaction.objects.filter(message__channel=channel).values_list(
                    "message__seq", "user", "emoji", "created_at"
                )
            ),
        )

    assert written(team.general) == written(team.random)
    assert written(team.general)[0][0][2] == "tab\there, line\nbreak, back\\slash <!channel>"
