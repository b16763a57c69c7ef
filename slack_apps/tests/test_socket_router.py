"""Each process's Socket Mode router: a batch of new deliveries goes to one local socket of each app, in turn,
once however many processes hold the app's sockets, and past a socket that cannot take more."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import pytest

from slack_apps.socket_router import SocketModeRouter

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


@dataclass(eq=False)
class FakeSocket:
    app_id: str
    workspace_id: str = "T1"
    full: bool = False
    queued: list[int] = field(default_factory=list)

    def queue_envelope(self, delivery_id: int, body: str, attempt: int, reason: str) -> bool:
        if self.full:
            return False
        self.queued.append(delivery_id)
        return True

    async def say_disconnect(self, reason: str) -> None:
        pass


def batch(*entries: tuple[int, str]) -> dict:
    return {"type": "sm.batch", "group": "smw.T1", "deliveries": [[d, app, 0, "", "{}"] for d, app in entries]}


async def test_deliveries_go_to_one_socket_of_their_app_in_turn_and_once():
    router, elsewhere = SocketModeRouter(), SocketModeRouter()  # two processes' routers
    first, second, busy, spare = FakeSocket("A1"), FakeSocket("A1"), FakeSocket("A2", full=True), FakeSocket("A2")
    for socket in (first, second, busy, spare):
        router.sockets[socket.app_id].append(socket)
    other = FakeSocket("A1")
    elsewhere.sockets["A1"].append(other)
    base = secrets.randbelow(10**12)  # delivery ids of this run only: claims outlive a test, in Redis

    await router.layer_message(batch((base + 1, "A1"), (base + 2, "A1"), (base + 3, "A2"), (base + 4, "A9")))
    await elsewhere.layer_message(batch((base + 1, "A1"), (base + 2, "A1")))

    assert sorted(first.queued + second.queued) == [base + 1, base + 2]
    assert (len(first.queued), len(second.queued)) == (1, 1)  # in turn
    assert (busy.queued, spare.queued) == ([], [base + 3])
    assert other.queued == []  # claimed by the first process already
