"""The process hub's layer membership: groups stay joined a moment after their last socket, so a reconnect is cheap."""

from __future__ import annotations

import asyncio

import pytest
from channels.layers import InMemoryChannelLayer

from realtime import hub as hub_module
from realtime.hub import Hub

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


class CountingLayer(InMemoryChannelLayer):
    """The in-memory layer, counting the group joins the hub asks for."""

    def __init__(self):
        super().__init__()
        self.adds: list[str] = []

    async def group_add(self, group, channel):
        self.adds.append(group)
        await super().group_add(group, channel)


class FakeConnection:
    def __init__(self):
        self.groups: set[str] = set()


@pytest.fixture
async def hub():
    hub = Hub(CountingLayer())
    yield hub
    await hub._stop()


def layer_has(hub: Hub, group: str) -> bool:
    return hub.channel_name in hub.layer.groups.get(group, {})


async def test_a_socket_that_comes_back_soon_rejoins_without_a_layer_round_trip(hub):
    keeper, first = FakeConnection(), FakeConnection()
    await hub.attach(keeper, ["u.U0"])
    await hub.attach(first, ["u.U1"])
    await hub.detach(first)
    assert layer_has(hub, "u.U1"), "kept joined after its last socket left"
    await hub.attach(FakeConnection(), ["u.U1"])
    assert hub.layer.adds.count("u.U1") == 1


async def test_a_group_nobody_rejoins_is_left_once_the_delay_has_passed(hub, monkeypatch):
    conn, other = FakeConnection(), FakeConnection()
    await hub.attach(conn, ["u.U1", "c.C1"])
    await hub.attach(other, ["u.U2"])
    hub.leave(conn, ["c.C1"])
    await hub._leave_emptied()
    assert layer_has(hub, "c.C1"), "not before the delay"
    monkeypatch.setattr(hub_module, "LAYER_LEAVE_DELAY_SECONDS", 0.0)
    await hub._leave_emptied()
    assert not layer_has(hub, "c.C1")
    assert layer_has(hub, "u.U1"), "a group with a member stays"


async def test_the_last_socket_out_leaves_every_group_at_once(hub):
    conn = FakeConnection()
    await hub.attach(conn, ["u.U1", "c.C1"])
    await hub.detach(conn)
    assert not layer_has(hub, "u.U1")
    assert not layer_has(hub, "c.C1")


async def test_groups_due_to_be_left_are_left_a_few_per_tick_the_longest_emptied_first(hub, monkeypatch):
    keeper, many = FakeConnection(), FakeConnection()
    groups = [f"u.U{n}" for n in range(5)]
    await hub.attach(keeper, ["u.KEEP"])
    await hub.attach(many, groups)
    for group in groups:  # emptied one after another, in this order
        hub.leave(many, [group])
    monkeypatch.setattr(hub_module, "LAYER_LEAVE_DELAY_SECONDS", 0.0)
    monkeypatch.setattr(hub_module, "LAYER_LEAVES_PER_TICK", 2)
    await hub._leave_emptied()
    assert [layer_has(hub, group) for group in groups] == [False, False, True, True, True]
    await hub._leave_emptied()
    await hub._leave_emptied()
    assert not any(layer_has(hub, group) for group in groups)


class HeldLeaveLayer(CountingLayer):
    """Leaving a group waits until the test lets it finish, as a Redis round trip takes a while."""

    def __init__(self):
        super().__init__()
        self.leaving = asyncio.Event()
        self.let_leave = asyncio.Event()

    async def group_discard(self, group, channel):
        self.leaving.set()
        await self.let_leave.wait()
        await super().group_discard(group, channel)


async def test_a_socket_that_arrives_while_the_last_one_leaves_keeps_the_hub_running():
    layer = HeldLeaveLayer()
    hub = Hub(layer)
    try:
        leaving = FakeConnection()
        await hub.attach(leaving, ["u.U1", "c.C1"])
        stopping = asyncio.ensure_future(hub.detach(leaving))  # the last one out: the hub starts to stop
        await layer.leaving.wait()
        arriving = FakeConnection()
        await hub.attach(arriving, ["u.U2"])  # while the hub leaves its groups
        layer.let_leave.set()
        await stopping
        assert hub._tasks, "a hub with a socket must keep reading the layer"
        assert layer_has(hub, "u.U2")
    finally:
        layer.let_leave.set()
        hub.connections.clear()
        await hub._stop()
