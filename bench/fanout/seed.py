"""The benchmark's data: one workspace, one channel, and N members who can each open a socket.

Rows are bulk-created (the services would take minutes for thousands of people); each member
gets an API token, so a socket authenticates as a bot would (no cookie, no Origin).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction


@dataclass
class BenchData:
    channel_id: str
    room: str
    tokens: list[str]


@transaction.atomic
def seed(members: int) -> BenchData:
    from accounts.models import ApiToken, User, hash_token
    from chat.models import Channel, ChannelKind, ChannelMember
    from slackclone.ids import PUBLIC_CHANNEL_PREFIX, new_public_id
    from workspaces.models import Membership, Workspace

    suffix = secrets.token_hex(4)
    workspace = Workspace.objects.create(name="Bench", slug=f"bench-{suffix}")
    channel = Channel.objects.create(
        public_id=new_public_id(PUBLIC_CHANNEL_PREFIX), workspace=workspace, kind=ChannelKind.PUBLIC, name="fanout"
    )
    users = User.objects.bulk_create(
        [User(email=f"bench-{suffix}-{i}@bench.test", full_name=f"Bench {i}", password="!") for i in range(members)],
        batch_size=2000,
    )
    Membership.objects.bulk_create([Membership(user=u, workspace=workspace) for u in users], batch_size=2000)
    ChannelMember.objects.bulk_create([ChannelMember(user=u, channel=channel) for u in users], batch_size=2000)
    raw_tokens = [f"xoxp-bench-{secrets.token_urlsafe(24)}" for _ in users]
    ApiToken.objects.bulk_create(
        [
            ApiToken(user=u, workspace=workspace, token_hash=hash_token(raw), prefix=raw[:12])
            for u, raw in zip(users, raw_tokens, strict=True)
        ],
        batch_size=2000,
    )
    return BenchData(channel_id=channel.public_id, room=f"bench{suffix}", tokens=raw_tokens)
