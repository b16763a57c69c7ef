"""Fixtures shared by every app's tests (registered from the root conftest).

- `team`: a workspace with one person in each role and #general/#random (see factories.make_team).
- `outsider`: an active user of another workspace.
- `layer_listener`: listens on the REAL channel layer (Redis in tests) the way a socket does,
  so a test can prove which events reach which group after commit.
"""

from __future__ import annotations

import asyncio
import json
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from channels.layers import get_channel_layer

from accounts.models import User
from slackclone.testing.factories import Team, UserFactory, make_team, workspace_with_owner

# --- People and places ----------------------------------------------------------------


@pytest.fixture
def team(db) -> Team:
    """A workspace with an owner, an admin, two members and a guest, and #general and #random."""
    return make_team()


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's, with its session listed as a real sign-in lists it (identity.middleware), so a
    test that counts a page's queries counts the page's own."""
    from identity.middleware import note_session_seen

    client.force_login(admin_user)
    note_session_seen(client.session.session_key)
    return client


@pytest.fixture
def outsider(db) -> User:
    """Active in a workspace of their own, and in no other."""
    user = UserFactory(full_name="Otto Outsider")
    workspace_with_owner(user)
    return user


# --- The real channel layer -------------------------------------------------------------


class _LayerLoop:
    """One event loop on a background thread for every listener of the test run.

    Channel layers allow receive() from one event loop at a time, so all listeners share this one.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="layer-listener", daemon=True)
        self.thread.start()

    def run(self, coroutine, timeout: float = 10.0):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        self.run(self._cancel_all_tasks())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()  # channels_redis closes this loop's Redis connections here

    @staticmethod
    async def _cancel_all_tasks() -> None:
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


_STOP = "testing.listener.stop"


class LayerListener:
    """A channel on the layer, added to some groups, whose messages a test can wait for.

    Messages are collected by a task on the shared loop into a thread-safe inbox, so waiting
    with a timeout never cancels a layer receive half-way.
    """

    def __init__(self, layer_loop: _LayerLoop, groups: tuple[str, ...]) -> None:
        self._layer_loop = layer_loop
        self.layer = get_channel_layer()
        self.groups = list(groups)
        self.inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.channel_name = layer_loop.run(self.layer.new_channel("test"))
        for group in self.groups:
            layer_loop.run(self.layer.group_add(group, self.channel_name))
        self._receiver: asyncio.Task = layer_loop.run(self._start_receiving())

    async def _start_receiving(self) -> asyncio.Task:
        return asyncio.create_task(self._receive_forever())

    async def _receive_forever(self) -> None:
        while True:
            message = await self.layer.receive(self.channel_name)
            if message.get("type") == _STOP:
                return
            self.inbox.put(message)

    async def _stop_receiving(self) -> None:
        """Leave the groups, then stop the receiver with a message of its own.

        Cancelling a receive blocked in Redis can hang until the layer's pop times out, so the
        receiver is told to stop instead, and only cancelled if that message never comes.
        """
        for group in self.groups:
            await self.layer.group_discard(group, self.channel_name)
        await self.layer.send(self.channel_name, {"type": _STOP})
        done, _ = await asyncio.wait([self._receiver], timeout=5)
        if not done:
            self._receiver.cancel()

    def receive(self, timeout: float = 3.0) -> dict[str, Any]:
        """The next layer message to this listener's groups; fails the test after `timeout` seconds."""
        try:
            return self.inbox.get(timeout=timeout)
        except queue.Empty:
            if self._receiver.done() and not self._receiver.cancelled() and self._receiver.exception():
                raise AssertionError(f"the listener stopped: {self._receiver.exception()!r}") from None
            raise AssertionError(f"no layer message reached {self.groups} within {timeout}s") from None

    def receive_event(self, timeout: float = 3.0) -> dict[str, Any]:
        """The next client event (a `chat.event` layer message), decoded from its JSON payload."""
        message = self.receive(timeout)
        assert message["type"] == "chat.event", f"expected a chat.event, got {message}"
        return json.loads(message["payload"])

    def receive_until(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 3.0) -> list[dict]:
        """Layer messages up to and including the first one that matches; fails if none does in time."""
        seen = []
        while True:
            message = self.receive(timeout)
            seen.append(message)
            if predicate(message):
                return seen

    def drain(self, quiet: float = 0.2) -> list[dict[str, Any]]:
        """Everything that arrives until the layer has been quiet for `quiet` seconds."""
        messages = []
        while True:
            try:
                messages.append(self.inbox.get(timeout=quiet))
            except queue.Empty:
                return messages

    def close(self) -> None:
        self._layer_loop.run(self._stop_receiving())


@pytest.fixture(scope="session")
def _layer_loop() -> Iterator[_LayerLoop]:
    layer_loop = _LayerLoop()
    yield layer_loop
    layer_loop.stop()


@pytest.fixture
def layer_listener(_layer_loop: _LayerLoop) -> Iterator[Callable[..., LayerListener]]:
    """Make listeners: `listener = layer_listener(events.channel_group(channel))`.

    Group names are built from random public ids, so tests never hear each other's events.
    Do not combine with code that receives on the layer from another event loop in the same test.
    """
    listeners: list[LayerListener] = []

    def make(*groups: str) -> LayerListener:
        assert groups, "name at least one group to listen to"
        listener = LayerListener(_layer_loop, groups)
        listeners.append(listener)
        return listener

    yield make
    for listener in listeners:
        listener.close()


# --- Every event checked against its declaration -------------------------------------------


class EventRecorder:
    """The events a test sent, live or replayed, as they went on the wire, and what was wrong with any.

    Filled from every thread (the live server's, the hub's loop), so appends hold a lock.
    """

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.problems: list[str] = []
        self._lock = threading.Lock()

    def record(self, event: Any) -> None:
        from realtime.event_check import event_problems

        on_the_wire = json.loads(json.dumps(event))
        found = event_problems(on_the_wire)
        with self._lock:
            self.events.append(on_the_wire)
            self.problems += [f"{problem}  in {json.dumps(on_the_wire)[:300]}" for problem in found]

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            return [event for event in self.events if event.get("type") == kind]


@pytest.fixture(autouse=True)
def sent_events(monkeypatch: pytest.MonkeyPatch) -> Iterator[EventRecorder]:
    """Every event the test sends is checked against its declared shape (realtime.event_types).

    Every event a socket is sent passes realtime.transport.encode_event, which checks its type; the
    check is wrapped to record the event too. An undeclared field, a missing one or a value of the
    wrong type fails the test that sent it, at teardown.
    """
    from realtime import transport

    recorder = EventRecorder()
    check_type = transport.check_event_type

    def check_and_record(event: Any) -> None:
        check_type(event)
        recorder.record(event)

    monkeypatch.setattr(transport, "check_event_type", check_and_record)
    yield recorder
    if recorder.problems:
        pytest.fail("Events that do not match realtime.event_types:\n" + "\n".join(recorder.problems[:20]))
