"""Running the channel layer's coroutines from synchronous code, on one event loop per process.

`async_to_sync` from a thread with no event loop of its own to reach (a Celery task, a management
command, the outbox relay, a test) makes a new thread and a new event loop for each call, and
channels-redis pools its Redis connections per event loop: each event then pays for a loop, a TCP
connection and its close. Here such calls go instead to one long-lived loop on a daemon thread of
the process, so the layer's pool on that loop, and its connections, serve every event.

Sync code that an ASGI server runs in its worker threads (a gateway call, a sync view) uses that loop
too, not the server's own: `async_to_sync` would queue the send behind everything the server's loop is
doing (under load, writing to thousands of sockets), and the thread, one of the gateway's few, would wait
for its turn there instead of for Redis. The thread still waits for its send, so a busy layer slows
posting down rather than letting events pile up. The in-memory layer (the embedded default) keeps
`async_to_sync`: its queues belong to the server's loop, and it has no connections to pool.

The loop is started on first use and started again in a child process (Celery's prefork pool forks
after import: a loop and its thread do not survive a fork), and at interpreter exit it is stopped and
closed, which closes the layer's connections on it. A call waits a bounded time: a Redis that takes
the connection but never answers makes the call fail with TimeoutError, never blocks a worker.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextvars
import logging
import os
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer

logger = logging.getLogger(__name__)

T = TypeVar("T")

# How long a single layer send may take before the caller gives up on it; a batch is allowed this
# plus a little per message (a layer that moves fewer than 1 / SECONDS_PER_MESSAGE messages a second
# is as good as hung).
SEND_TIMEOUT_SECONDS = 10.0
SECONDS_PER_MESSAGE = 0.005


def timeout_for(messages: int) -> float:
    """The time a call that sends `messages` layer messages is given."""
    return SEND_TIMEOUT_SECONDS + SECONDS_PER_MESSAGE * max(0, messages - 1)


class _LoopThread:
    """An event loop running forever on a daemon thread, owned by the process that made it."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="layer-publisher", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def usable(self) -> bool:
        return self.pid == os.getpid() and self.thread.is_alive() and not self.loop.is_closed()

    def run(self, coroutine: Awaitable[T], timeout: float) -> T:
        future = asyncio.run_coroutine_threadsafe(_in_context(contextvars.copy_context(), coroutine), self.loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            if future.done():  # the coroutine's own TimeoutError
                raise
            future.cancel()  # the send stops where it is; redis-py drops a connection cut mid-command
            raise TimeoutError(f"the channel layer did not answer within {timeout:g}s") from None

    def close(self, timeout: float = 5.0) -> None:
        """Stop the loop and close it: channels-redis closes the connections it pooled on this loop."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout)
        if not self.thread.is_alive():
            self.loop.close()


async def _in_context(context: contextvars.Context, coroutine: Awaitable[T]) -> T:
    """The caller's context variables (the request id the logs carry) inside the coroutine."""
    for variable, value in context.items():
        variable.set(value)
    return await coroutine


_lock = threading.Lock()
_current: _LoopThread | None = None


def _loop_thread() -> _LoopThread:
    """This process's loop thread, started now if it has none (or if the one it had came from its parent)."""
    global _current
    current = _current
    if current is not None and current.usable():
        return current
    with _lock:
        if _current is None or not _current.usable():
            _current = _LoopThread()
        return _current


def _forget_after_fork() -> None:
    """In a child: the parent's loop has no thread here, and the lock may have been held at the fork."""
    global _current, _lock
    _current = None
    _lock = threading.Lock()


@atexit.register
def close() -> None:
    """Stop this process's loop thread, closing the connections on it (at exit; tests may call it too)."""
    global _current
    with _lock:
        current, _current = _current, None
    if current is None or current.pid != os.getpid():
        return
    try:
        current.close()
    except Exception as exc:  # at exit, a Redis that is gone must not turn into a traceback
        logger.debug("Closing the layer publisher's loop failed: %s", exc)


os.register_at_fork(after_in_child=_forget_after_fork)


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def run_sync(layer: Any, function: Callable[..., Awaitable[T]], *args: Any, timeout: float = SEND_TIMEOUT_SECONDS) -> T:
    """`await function(layer, *args)` from synchronous code: on the process's publisher loop, or for the
    in-memory layer through `async_to_sync` (the server's loop when there is one).

    Raises what the coroutine raises, or TimeoutError after `timeout` seconds on the process's own loop.
    Called from a thread that runs an event loop, it raises RuntimeError, as async_to_sync does.
    """
    if _in_event_loop() or isinstance(layer, InMemoryChannelLayer):
        return async_to_sync(function)(layer, *args)
    return _loop_thread().run(function(layer, *args), timeout)
