"""manage.py seed_demo [--messages N]: the demo workspace, and bulk benchmark data that keeps every invariant."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import authenticate
from django.db.models import Count, Max, Min

from accounts.tests.commands.support import refused, run
from chat.models import Channel, ChannelKind, Mention, MentionKind, Message, Pin, Reaction
from chat.seeding.demo import DEMO_PASSWORD, DEMO_SLUG, PEOPLE
from chat.text import parse_mentions
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import nothing_written
from workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db


def demo_channels() -> list[Channel]:
    return list(Channel.objects.filter(workspace__slug=DEMO_SLUG).order_by("pk"))


def assert_channel_invariants(channels: list[Channel]) -> None:
    """What message_post guarantees, checked row by row: seq 1..n without gaps, ts growing with seq,
    counters on the channel, reply counts on thread roots, and a Mention row for every mention."""
    for channel in channels:
        rows = list(Message.objects.filter(channel=channel).order_by("seq").values_list("seq", "ts"))
        assert [seq for seq, _ in rows] == list(range(1, len(rows) + 1)), f"gap in {channel}"
        timestamps = [ts for _, ts in rows]
        assert timestamps == sorted(timestamps, key=lambda ts: tuple(map(int, ts.split(".")))), f"ts order in {channel}"
        assert len(set(timestamps)) == len(timestamps)
        assert channel.last_seq == len(rows)
        assert channel.last_ts == (timestamps[-1] if timestamps else "")
    replies = dict(
        Message.objects.filter(thread_root__isnull=False, channel__in=channels)
        .values_list("thread_root")
        .annotate(n=Count("pk"))
    )
    roots = Message.objects.filter(channel__in=channels, reply_count__gt=0)
    assert {root.pk: root.reply_count for root in roots} == replies
    mentions: dict[int, set[tuple[str, str | None]]] = {}
    for message_id, kind, user_id in Mention.objects.filter(channel__in=channels).values_list(
        "message", "kind", "user__public_id"
    ):
        mentions.setdefault(message_id, set()).add((kind, user_id))
    for message in Message.objects.filter(channel__in=channels).select_related("channel").only("text", "channel__kind"):
        parsed = parse_mentions(message.text)
        expected = {(MentionKind.USER.value, user_id) for user_id in parsed.user_ids}
        if message.channel.kind != ChannelKind.DM:
            expected |= {(kind.value, None) for kind in parsed.broadcasts}
        assert mentions.get(message.pk, set()) == expected, message.text


def assert_history_is_in_the_past(channels: list[Channel]) -> None:
    newest = max(float(channel.last_ts) for channel in channels if channel.last_ts)
    assert newest <= time.time() + 1, "bulk history must not be dated in the future"


def test_seeds_the_promised_demo_workspace():
    lines = run("seed_demo")

    workspace = Workspace.objects.get(slug=DEMO_SLUG)
    assert Membership.objects.filter(workspace=workspace, is_active=True).count() == len(PEOPLE) >= 5
    assert authenticate(username="alice@example.com", password=DEMO_PASSWORD) is not None
    assert any("alice@example.com" in line and DEMO_PASSWORD in line for line in lines)

    channels = demo_channels()
    kinds = [channel.kind for channel in channels]
    assert len(channels) >= 6
    assert {ChannelKind.PUBLIC, ChannelKind.PRIVATE, ChannelKind.DM, ChannelKind.GROUP_DM} <= set(kinds)
    messages = Message.objects.filter(channel__workspace=workspace)
    assert messages.count() == 2_000
    assert messages.filter(thread_root__isnull=False).count() > 100
    assert messages.filter(text__regex=r"<@U[A-Z0-9]+>").count() > 50
    assert Reaction.objects.filter(message__channel__workspace=workspace).count() > 100
    assert Pin.objects.filter(channel__workspace=workspace).exists()
    assert_channel_invariants(channels)


def test_seeding_again_changes_nothing_and_a_larger_count_only_adds_the_difference():
    run("seed_demo")

    with nothing_written():
        lines = run("seed_demo")
    assert any("Nothing to do" in line for line in lines)

    run("seed_demo", "--messages", "2100")
    assert Message.objects.filter(channel__workspace__slug=DEMO_SLUG).count() == 2_100
    assert_channel_invariants(demo_channels())
    assert_history_is_in_the_past(demo_channels())


def test_bulk_loads_twenty_thousand_messages_without_gaps():
    run("seed_demo", "--messages", "20000")

    channels = demo_channels()
    assert Message.objects.filter(channel__in=channels).count() == 20_000
    per_channel = (
        Message.objects.filter(channel__in=channels)
        .values("channel")
        .annotate(n=Count("pk"), low=Min("seq"), high=Max("seq"))
    )
    assert all(row["low"] == 1 and row["high"] == row["n"] for row in per_channel)
    assert Mention.objects.filter(channel__in=channels, kind=MentionKind.USER).count() > 1_000
    assert_channel_invariants(channels)
    assert_history_is_in_the_past(channels)


def test_refuses_a_negative_count():
    refused("seed_demo", "--messages", "-1", code=ErrorCode.INVALID_ARGUMENTS)
