"""What each connected person does per minute, and when: one Poisson stream for the whole population.

The superposition of N people's independent Poisson streams is one Poisson stream of N times the
rate whose events fall on people uniformly; drawing it from one seeded generator lets one task drive
thousands of people, and the same seed gives the same day.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass

ACTIONS = ("post", "reaction", "switch", "thread", "search", "reconnect")


@dataclass(frozen=True)
class Rates:
    """Actions per connected person per minute, and the shares of posts that are special.

    The defaults follow Mattermost's load-test model in spirit (a person mostly reads: switches
    channels about once a minute, posts every few minutes, reacts and searches now and then).
    """

    post: float = 0.25
    reaction: float = 0.2
    switch: float = 1.0
    thread: float = 0.1
    search: float = 0.05
    reconnect: float = 0.02  # sockets dropped and resumed, per person per minute
    mention_share: float = 1 / 20
    reply_share: float = 1 / 10
    file_share: float = 1 / 50
    typing_lead_s: float = 2.0  # typing is sent this long before the post it announces
    heartbeat_s: float = 20.0  # the browser client's ping (static/js/client/socket.js HEARTBEAT_MS)

    def per_minute(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in ACTIONS}

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Action:
    at: float  # seconds from the start of the step
    kind: str
    person: int
    seed: int  # of the action's own choices (which conversation, which words): the same in every run

    def rng(self) -> random.Random:
        return random.Random(self.seed)


def actions(rates: Rates, people: int, seconds: float, rng: random.Random) -> Iterator[Action]:
    """The step's actions in time order: exponential gaps at the fleet's total rate, each a kind drawn by
    its share of that rate and a person drawn uniformly.

    `rng` must be the schedule's alone: each action carries a seed for its own choices, so what one action
    chooses, or when the server answers it, never shifts the rest of the day. Two runs of the same seed
    post the same messages to the same conversations, and so compare like for like."""
    per_minute = rates.per_minute()
    kinds = [kind for kind, rate in per_minute.items() if rate > 0]
    weights = [per_minute[kind] for kind in kinds]
    total_per_s = people * sum(weights) / 60.0
    if total_per_s <= 0 or people <= 0:
        return
    at = 0.0
    while True:
        at += rng.expovariate(total_per_s)
        if at >= seconds:
            return
        yield Action(at, rng.choices(kinds, weights)[0], rng.randrange(people), rng.getrandbits(64))
