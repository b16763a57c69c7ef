"""The soak's mixed workload: every client in one asyncio loop posts (some posts @mention another member),
edits its own posts and reacts over the REST API now and then, and drops its socket at random.

Actions are drawn from one seeded generator; the time between a client's actions is exponential, so the
whole fleet acts `rate` times a second on average.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from typing import Any

from bench.chaos.client import SoakClient, SoakPost
from cluster.layout import Layout
from cluster.tests.http import arequest

CONNECT_BATCH = 50
CONNECT_TIMEOUT = 120.0
SETTLE_ROUNDS = 2
SETTLE_SYNC_SECONDS = 30.0
EMOJI = ("thumbsup", "tada", "eyes", "rocket", "heart")


@dataclass(frozen=True)
class Mix:
    """Shares of a client's actions (the rest are plain posts) and of posts that @mention someone."""

    edit: float = 0.05
    react: float = 0.05
    reconnect: float = 0.03
    mention: float = 0.2


class Workload:
    def __init__(self, layout: Layout, population: dict, *, rate: float, seed: int, mix: Mix = Mix()):
        url = f"ws://127.0.0.1:{layout.nginx_port}/ws/"
        self.layout, self.rate, self.mix = layout, rate, mix
        self.rng = random.Random(seed)
        self.clients: list[SoakClient] = []
        self.by_channel: dict[str, list[SoakClient]] = {}
        for room in population["channels"]:
            members = [
                SoakClient(len(self.clients) + n, m["token"], room["id"], url, user=m["user"])
                for n, m in enumerate(room["members"])
            ]
            self.clients += members
            self.by_channel[room["id"]] = members
        self.stop_sockets = asyncio.Event()
        self.stop_actions = asyncio.Event()
        self.tasks: list[asyncio.Future] = []
        self.actors: list[asyncio.Future] = []
        self.http_failures: list[tuple[float, str, int]] = []
        self.http_done = 0

    async def connect(self) -> None:
        for start in range(0, len(self.clients), CONNECT_BATCH):
            batch = self.clients[start : start + CONNECT_BATCH]
            self.tasks += [asyncio.ensure_future(c.run(self.stop_sockets)) for c in batch]
            await asyncio.sleep(0.3)
        await self.wait(lambda c: c.connected.is_set(), CONNECT_TIMEOUT, "connected")

    def start_actions(self) -> None:
        self.actors = [asyncio.ensure_future(self._act(client)) for client in self.clients]

    async def _act(self, client: SoakClient) -> None:
        per_client = self.rate / len(self.clients)
        while not self.stop_actions.is_set():
            await asyncio.sleep(self.rng.expovariate(per_client))
            if self.stop_actions.is_set():
                return
            await client.resend_stale()
            if not client.connected.is_set():
                continue
            draw = self.rng.random()
            if draw < self.mix.reconnect:
                await client.reconnect()
            elif draw < self.mix.reconnect + self.mix.edit:
                await self._edit(client)
            elif draw < self.mix.reconnect + self.mix.edit + self.mix.react:
                await self._react(client)
            else:
                await self._post(client)

    async def _post(self, client: SoakClient) -> None:
        if self.rng.random() < self.mix.mention:
            other = self.rng.choice([c for c in self.by_channel[client.channel] if c is not client])
            await client.post_text(f"chaos {client.number} for <@{other.user}>", mentions=other.user)
        else:
            await client.post_text(f"chaos {client.number}")

    async def _edit(self, client: SoakClient) -> None:
        mine = [p for p in client.posts.values() if isinstance(p, SoakPost) and p.ts and not p.mentions]
        if mine:
            post = self.rng.choice(mine)
            path = f"/api/v1/channels/{client.channel}/messages/{post.ts}"
            await self._http(client, "PATCH", path, {"text": f"{post.text} (edited)"}, "edit")

    async def _react(self, client: SoakClient) -> None:
        others = [
            p for c in self.by_channel[client.channel] for p in c.posts.values() if isinstance(p, SoakPost) and p.ts
        ]
        if others:
            post = self.rng.choice(others)
            path = f"/api/v1/channels/{client.channel}/messages/{post.ts}/reactions"
            await self._http(client, "POST", path, {"name": self.rng.choice(EMOJI)}, "react")

    async def _http(self, client: SoakClient, method: str, path: str, body: dict, what: str) -> None:
        """An edit or a reaction; 409 (that reaction is there already) counts as done, not retried."""
        status, _ = await arequest(self.layout, client.token, method, path, body)
        if status in (200, 201, 409):
            self.http_done += 1
        else:
            self.http_failures.append((time.monotonic(), what, status))

    async def wait(self, predicate, timeout: float, what: str) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(predicate(c) for c in self.clients):
                return True
            await asyncio.sleep(0.2)
        behind = sum(not predicate(c) for c in self.clients)
        print(f"  {behind} of {len(self.clients)} clients not {what} after {timeout:.0f} s", flush=True)
        return False

    def acked_top(self) -> dict[str, int]:
        """Per channel, the highest seq any of its clients has had acknowledged."""
        return {
            channel: max((p.seq for c in members for p in c.posts.values() if p.seq is not None), default=0)
            for channel, members in self.by_channel.items()
        }

    def in_sync(self, target: dict[str, int]) -> bool:
        """Every client has every message of its channel up to `target` (connected or not)."""
        return all(c.top >= target[channel] for channel, members in self.by_channel.items() for c in members)

    async def wait_until(self, condition, timeout: float, what: str) -> bool:
        """Like `wait`, for a condition on the whole fleet, checked once a second."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            await asyncio.sleep(1.0)
        print(f"  not {what} after {timeout:.0f} s", flush=True)
        return False

    def acked_since(self, since: float) -> bool:
        """Every channel has a post acknowledged after `since`: posting works again everywhere."""
        return all(
            any(
                isinstance(p, SoakPost) and p.acked_at and p.acked_at > since for c in members for p in c.posts.values()
            )
            for members in self.by_channel.values()
        )

    async def settle(self, timeout: float) -> dict:
        """Stop acting; wait for every post to be acknowledged; then a last post per channel, which shows a
        client that missed the channel's tail its gap (the protocol's only way to find it), and every client
        to have it. A second round is posted if some client misses a settle post itself: its live event was
        lost and nothing later revealed the gap; those clients are counted (`tail_missed`), not hidden."""
        self.stop_actions.set()
        resender = asyncio.ensure_future(self._resend_stale_until_stopped())
        outcome: dict[str, Any] = {"acknowledged": True, "in_sync": False, "tail_missed": [], "rounds": 0}
        try:
            outcome["acknowledged"] = await self.wait(lambda c: not c.unacknowledged, timeout, "acknowledged")
            for _ in range(SETTLE_ROUNDS):
                outcome["rounds"] += 1
                for members in self.by_channel.values():
                    await members[0].post_text("settle")
                acked = await self.wait(lambda c: not c.unacknowledged, timeout, "acknowledged (settle)")
                outcome["acknowledged"] = outcome["acknowledged"] and acked
                target = self.acked_top()
                if await self.wait(lambda c, t=target: c.top >= t[c.channel], SETTLE_SYNC_SECONDS, "in sync"):
                    outcome["in_sync"] = True
                    break
                outcome["tail_missed"] += [
                    {"client": c.number, "channel": c.channel, "top": c.top, "target": target[c.channel]}
                    for c in self.clients
                    if c.top < target[c.channel]
                ]
        finally:
            resender.cancel()
        return outcome

    async def _resend_stale_until_stopped(self) -> None:
        while True:
            for client in self.clients:
                await client.resend_stale()
            await asyncio.sleep(1.0)

    async def close(self) -> None:
        self.stop_actions.set()
        self.stop_sockets.set()
        for client in self.clients:
            client.cancel_retries()
        for actor in self.actors:  # asleep between actions, for as long as an exponential draw says
            actor.cancel()
        if not self.tasks:
            return
        _, pending = await asyncio.wait([*self.tasks, *self.actors], timeout=60)
        for task in pending:
            task.cancel()
