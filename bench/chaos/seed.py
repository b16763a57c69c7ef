"""The soak's people: one workspace, N channels of M members each, every member with an API token.

Run inside the cluster's environment (`python -m bench.chaos.seed CHANNELS MEMBERS`, Django set up from
the cluster's DATABASE_URL); prints one JSON object. Rows are bulk-created, as in bench.fanout.seed.
"""

from __future__ import annotations

import json
import secrets
import sys

from django.db import transaction


@transaction.atomic
def seed(channels: int, members: int) -> dict:
    """{"channels": [{"id": C…, "members": [{"user": U…, "token": …}, …]}, …]}; each person is in one channel."""
    from accounts.models import ApiToken, User, hash_token
    from chat.models import Channel, ChannelKind, ChannelMember
    from slackclone.ids import PUBLIC_CHANNEL_PREFIX, new_public_id
    from workspaces.models import Membership, Workspace

    suffix = secrets.token_hex(4)
    workspace = Workspace.objects.create(name="Chaos", slug=f"chaos-{suffix}")
    rooms = Channel.objects.bulk_create(
        [
            Channel(public_id=new_public_id(PUBLIC_CHANNEL_PREFIX), workspace=workspace, kind=ChannelKind.PUBLIC,
                    name=f"chaos-{n}")
            for n in range(channels)
        ]
    )  # fmt: skip
    total = channels * members
    users = User.objects.bulk_create(
        [User(email=f"chaos-{suffix}-{i}@bench.test", full_name=f"Chaos {i}", password="!") for i in range(total)]
    )
    Membership.objects.bulk_create([Membership(user=u, workspace=workspace) for u in users])
    ChannelMember.objects.bulk_create([ChannelMember(user=u, channel=rooms[i // members]) for i, u in enumerate(users)])
    tokens = [f"xoxp-chaos-{secrets.token_urlsafe(24)}" for _ in users]
    ApiToken.objects.bulk_create(
        [
            ApiToken(user=u, workspace=workspace, token_hash=hash_token(t), prefix=t[:12])
            for u, t in zip(users, tokens, strict=True)
        ]
    )
    return {
        "channels": [
            {
                "id": room.public_id,
                "members": [
                    {"user": users[i].public_id, "token": tokens[i]} for i in range(n * members, (n + 1) * members)
                ],
            }
            for n, room in enumerate(rooms)
        ]
    }


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(seed(int(sys.argv[1]), int(sys.argv[2]))))
