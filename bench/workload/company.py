"""A company to load: N people, 500 channels whose sizes follow a Zipf law, about 15 channels and 5 DMs each.

Two channels hold everyone, a few hold a tenth of the company, and the rest fall off as 1/rank down to
a handful of people, scaled so that a person is in about `per_person` channels. Rows go in with
bulk_create and history with chat.services.bulk (what message_post would take minutes for); every
person gets an API token, so their socket and their HTTP requests authenticate as a client would.
"""

from __future__ import annotations

import random
import secrets
import time
from dataclasses import dataclass, field

from django.db import transaction

EVERYONE_CHANNELS = 2
TENTH_CHANNELS = 5
SMALLEST_CHANNEL = 5
BATCH = 5_000


@dataclass(frozen=True)
class Shape:
    """How the company is laid out; the defaults are the brief's company."""

    channels: int = 500
    per_person: float = 15.0
    dms_per_person: float = 5.0
    exponent: float = 1.0
    history: int = 30  # messages already in each channel, for history pages, threads and search


@dataclass
class Conversation:
    pk: int
    public_id: str
    kind: str
    members: list[int]  # indices into Company.people
    last_seq: int = 0
    history_ts: list[str] = field(default_factory=list)


@dataclass
class Company:
    workspace_pk: int
    workspace_id: str
    people_pks: list[int]
    people_ids: list[str]
    tokens: list[str]
    conversations: list[Conversation]
    seconds: float = 0.0

    def of_person(self) -> list[list[int]]:
        """Each person's conversations (indices into `conversations`)."""
        mine: list[list[int]] = [[] for _ in self.people_pks]
        for index, conversation in enumerate(self.conversations):
            for person in conversation.members:
                mine[person].append(index)
        return mine


def channel_sizes(people: int, shape: Shape) -> list[int]:
    """Member counts of the named channels, largest first: everyone twice, a tenth a few times, then
    max(SMALLEST, C / rank^exponent) capped at a tenth, with C chosen so the total is per_person x people."""
    tenth = max(SMALLEST_CHANNEL, min(people, round(people / 10)))
    head = [people] * EVERYONE_CHANNELS + [tenth] * TENTH_CHANNELS
    rest = max(0, shape.channels - len(head))
    target = shape.per_person * people - sum(head)

    def sizes(scale: float) -> list[int]:
        return [min(tenth, max(SMALLEST_CHANNEL, round(scale / rank**shape.exponent))) for rank in range(1, rest + 1)]

    low, high = 0.0, float(tenth * rest**shape.exponent)
    for _ in range(60):  # the total grows with the scale: bisect it onto the target
        middle = (low + high) / 2
        low, high = (middle, high) if sum(sizes(middle)) < target else (low, middle)
    return (head + sizes(high))[: shape.channels]


def dm_pairs(people: int, shape: Shape, rng: random.Random) -> list[tuple[int, int]]:
    """Distinct pairs, so that a person is in about `dms_per_person` DMs."""
    wanted = min(round(people * shape.dms_per_person / 2), people * (people - 1) // 2)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < wanted:
        a, b = rng.randrange(people), rng.randrange(people)
        if a != b:
            pairs.add((min(a, b), max(a, b)))
    return sorted(pairs)


def seed_company(people: int, shape: Shape, seed: int) -> Company:
    """Write the company into the current database; returns what the load needs to act as its people."""
    started = time.monotonic()
    rng = random.Random(seed)
    with transaction.atomic():
        company = _people(people)
        _channels(company, channel_sizes(people, shape), rng)
        _dms(company, dm_pairs(people, shape, rng))
    _history(company, shape.history, rng)
    _analyse()
    company.seconds = time.monotonic() - started
    return company


def _analyse() -> None:
    """Refresh the planner's statistics, as autovacuum does for a database that grew over months: rows
    bulk-loaded a moment ago would otherwise be planned for by guesses (and a server may run without
    autovacuum, as the one of these machines does). SQLite plans without statistics."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _people(count: int) -> Company:
    from accounts.models import ApiToken, User, hash_token
    from workspaces.models import Membership, Workspace

    suffix = secrets.token_hex(4)
    workspace = Workspace.objects.create(name=f"Company {suffix}", slug=f"company-{suffix}")
    users = User.objects.bulk_create(
        [User(email=f"p{i}-{suffix}@company.test", full_name=f"Person {i}", password="!") for i in range(count)],
        batch_size=BATCH,
    )
    Membership.objects.bulk_create([Membership(user=u, workspace=workspace) for u in users], batch_size=BATCH)
    tokens = [f"xoxp-load-{secrets.token_urlsafe(24)}" for _ in users]
    ApiToken.objects.bulk_create(
        [
            ApiToken(user=u, workspace=workspace, token_hash=hash_token(raw), prefix=raw[:12])
            for u, raw in zip(users, tokens, strict=True)
        ],
        batch_size=BATCH,
    )
    return Company(workspace.pk, workspace.public_id, [u.pk for u in users], [u.public_id for u in users], tokens, [])


def _channels(company: Company, sizes: list[int], rng: random.Random) -> None:
    from chat.models import Channel, ChannelKind
    from slackclone.ids import PUBLIC_CHANNEL_PREFIX, new_public_id

    people = len(company.people_pks)
    rows = [
        Channel(
            public_id=new_public_id(PUBLIC_CHANNEL_PREFIX),
            workspace_id=company.workspace_pk,
            kind=ChannelKind.PUBLIC,
            name=f"c{rank}-{size}",
            is_general=rank == 0,
        )
        for rank, size in enumerate(sizes)
    ]
    channels = Channel.objects.bulk_create(rows, batch_size=BATCH)
    for channel, size in zip(channels, sizes, strict=True):
        members = list(range(people)) if size >= people else sorted(rng.sample(range(people), size))
        company.conversations.append(Conversation(channel.pk, channel.public_id, channel.kind, members))
    _members(company, company.conversations)


def _dms(company: Company, pairs: list[tuple[int, int]]) -> None:
    from chat.models import Channel, ChannelKind
    from slackclone.ids import DM_PREFIX, new_public_id

    ids = company.people_ids
    rows = [
        Channel(
            public_id=new_public_id(DM_PREFIX),
            workspace_id=company.workspace_pk,
            kind=ChannelKind.DM,
            dm_key=",".join(sorted((ids[a], ids[b]))),
        )
        for a, b in pairs
    ]
    dms = [
        Conversation(channel.pk, channel.public_id, channel.kind, list(pair))
        for channel, pair in zip(Channel.objects.bulk_create(rows, batch_size=BATCH), pairs, strict=True)
    ]
    company.conversations += dms
    _members(company, dms)


def _members(company: Company, conversations: list[Conversation]) -> None:
    from chat.models import ChannelMember, NotifyLevel

    rows = [
        ChannelMember(
            channel_id=c.pk,
            user_id=company.people_pks[p],
            notify_level=NotifyLevel.ALL if c.kind == "dm" else NotifyLevel.MENTIONS,
        )
        for c in conversations
        for p in c.members
    ]
    ChannelMember.objects.bulk_create(rows, batch_size=BATCH)


def _history(company: Company, per_channel: int, rng: random.Random) -> None:
    """`per_channel` messages in each named channel (DMs start empty), a tenth of them thread replies."""
    from chat.models import Channel
    from chat.seeding import chatter
    from chat.services.bulk import BulkMessage, messages_bulk_insert

    if per_channel <= 0:
        return
    now_us = int(time.time() * 1e6) - per_channel * 60_000_000
    named = [c for c in company.conversations if c.kind != "dm"]
    with transaction.atomic():
        channels = Channel.objects.in_bulk([c.pk for c in named])
        for conversation in named:  # primary-key order, as messages_bulk_insert asks of several channels
            rows: list[BulkMessage] = []
            for index in range(per_channel):
                author = company.people_pks[rng.choice(conversation.members)]
                root = rows[rng.randrange(len(rows))] if rows and rng.random() < 0.1 else None
                while root is not None and root.thread_root is not None:
                    root = root.thread_root if isinstance(root.thread_root, BulkMessage) else None
                text = chatter.reply_text(rng) if root else chatter.top_level_text(rng)
                rows.append(
                    BulkMessage(author_id=author, text=text, at_us=now_us + index * 60_000_000, thread_root=root)
                )
            messages_bulk_insert(channel=channels[conversation.pk], rows=rows)
            conversation.last_seq = rows[-1].seq
            conversation.history_ts = [row.ts for row in rows if row.thread_root is None]
