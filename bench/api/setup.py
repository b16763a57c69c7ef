"""Data the API benchmark needs beyond `manage.py seed_demo --messages N`, all written through the services.

- the measured user (alice) in 200 channels, each with a few unread messages and some mentions;
- a handful of rare words planted in old messages at spread-out depths (the demo's vocabulary is
  small, so every natural word is common): message_edit, as a person fixing a typo would;
- Chinese, Japanese and Korean phrases and code identifiers planted the same way (the demo is all
  English), and one CJK message in a small channel for a two-character word under in:;
- an API token for alice, and fresh planner statistics.
Every step is idempotent, so a second run on the same database adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from accounts.models import User
from chat.models import Channel, ChannelMember, Message
from chat.services import channel_create, channel_invite, message_edit, message_post
from integrations.tokens import api_token_create
from workspaces.models import Workspace

DEMO_SLUG = "demo"
USER_EMAIL = "alice@example.com"
POSTER_EMAIL = "bob@example.com"
UNREAD_CHANNELS = 200
UNREAD_PER_CHANNEL = 4
RARE_WORDS = ["quokka", "zanzibar", "kumquat", "xylograph", "marzipan"]
RARE_COPIES = 3
# Planted like the rare words: what fragment search must find inside a message.
CJK_PHRASES = ["会议室预订", "デプロイ手順", "배포일정확인"]
IDENTIFIERS = ["deploy_script_v2", "kubernetesOperator", "billing.retry_policy"]
SMALL_CHANNEL = "bench-unread-000"


@dataclass
class BenchData:
    workspace: Workspace
    user: User
    big_channel: Channel
    token: str
    channel_count: int
    rare_words: list[str]
    common_words: list[str]
    cjk_phrases: list[str]
    identifiers: list[str]
    small_channel: str


def _ensure_channels(workspace: Workspace, user: User, poster: User) -> int:
    mine = ChannelMember.objects.filter(user=user, channel__workspace=workspace).count()
    for index in range(max(0, UNREAD_CHANNELS - mine)):
        name = f"bench-unread-{index:03d}"
        channel = Channel.objects.filter(workspace=workspace, name=name).first()
        if channel is None:
            channel = channel_create(actor=None, workspace=workspace, name=name)
        channel_invite(actor=None, channel=channel, users=[user, poster])
        for n in range(UNREAD_PER_CHANNEL):
            text = f"<@{user.public_id}> status check {n}" if n == 0 else f"update {n} on {name}"
            message_post(sender=poster, channel=channel, text=text)
    return ChannelMember.objects.filter(user=user, channel__workspace=workspace).count()


def _plant_rare_words(big_channel: Channel) -> None:
    """Edit a few old top-level messages of the big channel, at spread-out depths, to carry each rare word
    (and each CJK phrase and identifier)."""
    rng = random.Random("bench-api-rare")
    last = big_channel.last_seq
    for word in RARE_WORDS + CJK_PHRASES + IDENTIFIERS:
        if Message.objects.filter(channel=big_channel, text__contains=word).exists():
            continue
        for _ in range(RARE_COPIES):
            seq = rng.randrange(1, max(2, last))
            message = (
                Message.objects.select_related("channel__workspace", "author")
                .filter(channel=big_channel, seq__gte=seq, deleted_at__isnull=True, thread_root__isnull=True)
                .order_by("seq")
                .first()
            )
            if message is not None:
                message_edit(actor=message.author, message=message, text=f"{message.text} ({word})")


def _common_words(limit: int = 3) -> list[str]:
    """The most frequent lexemes in a 1% sample of messages (ts_stat over the stored vectors)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word FROM ts_stat('SELECT search_vector FROM chat_message WHERE id %% 100 = 0') "
            "WHERE length(word) > 3 ORDER BY ndoc DESC, word LIMIT %s",
            [limit],
        )
        return [row[0] for row in cursor.fetchall()]


def prepare() -> BenchData:
    workspace = Workspace.objects.get(slug=DEMO_SLUG)
    user = User.objects.get(email=USER_EMAIL)
    poster = User.objects.get(email=POSTER_EMAIL)
    big_channel = (
        Channel.objects.select_related("workspace")
        .filter(workspace=workspace, memberships__user=user)
        .filter(~Q(name__startswith="bench-"))
        .order_by("-last_seq")
        .first()
    )
    if big_channel is None:
        raise RuntimeError(f"{USER_EMAIL} is in no channel of the workspace: seed it first (see bench/api).")
    channel_count = _ensure_channels(workspace, user, poster)
    _plant_rare_words(big_channel)
    small = Channel.objects.get(workspace=workspace, name=SMALL_CHANNEL)
    if not Message.objects.filter(channel=small, text__contains=CJK_PHRASES[0]).exists():
        message_post(sender=poster, channel=small, text=f"{CJK_PHRASES[0]}：明天下午")
    big_channel.refresh_from_db()
    _, token = api_token_create(actor=None, user=user, workspace=workspace, name="bench/api")
    with connection.cursor() as cursor:
        # Every table a search modifier joins, so has:reaction/has:file/has:pin are planned on real counts
        # even after a seed that was cut short before its own ANALYZE.
        cursor.execute(
            "ANALYZE chat_message, chat_channel, chat_channelmember, chat_mention, chat_reaction, chat_attachment,"
            " chat_pin"
        )
    return BenchData(
        workspace,
        user,
        big_channel,
        token,
        channel_count,
        RARE_WORDS,
        _common_words(),
        CJK_PHRASES,
        IDENTIFIERS,
        SMALL_CHANNEL,
    )
