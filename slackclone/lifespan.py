"""The ASGI lifespan of a server process, and its graceful shutdown.

On SIGTERM (or Ctrl-C) a server process first drains, then lets the server stop:

1. it marks itself draining: /readyz answers 503, and a socket that opens now is told `goodbye` at once;
2. every open socket of the process is sent Slack's `{"type": "goodbye"}` and closed with 4012, so its
   client reconnects (through the load balancer, to another process) and resumes from the database;
3. the server's own handler runs: Uvicorn stops listening, waits for in-flight requests and frames
   (a post being stored finishes and commits; its socket is already closed, so the client finds it in its
   resume replay, or its retry with the same `client_msg_id` returns it) for up to
   `--timeout-graceful-shutdown` seconds, then sends the lifespan shutdown and exits.

The lifespan shutdown event itself comes too late for step 2 (Uvicorn has closed every socket with 1012 by
then, without a word to the client), hence the signal hook, installed at lifespan startup, when the server's
own handler is already in place and can be chained. Daphne (`make run`) has no lifespan: one process, and
nothing to drain to.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

# Longest time spent saying goodbye before the server's own shutdown runs regardless.
DRAIN_TIMEOUT_SECONDS = 5.0
HANDLED_SIGNALS = (signal.SIGTERM, signal.SIGINT)

_draining = False


def draining() -> bool:
    """True once this process has been asked to stop: it takes no new work."""
    return _draining


async def application(scope: dict[str, Any], receive, send) -> None:
    """The ASGI `lifespan` protocol: hook the shutdown signals at startup."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            install_signal_handlers(asyncio.get_running_loop())
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def install_signal_handlers(loop: asyncio.AbstractEventLoop) -> None:
    """Chain a drain in front of the server's own handlers of SIGTERM and SIGINT (main thread only)."""
    for sig in HANDLED_SIGNALS:
        previous = signal.getsignal(sig)
        if not callable(previous):
            continue  # no server handler to hand over to (not under Uvicorn): leave the default alone
        signal.signal(sig, _chained(loop, previous))


def _chained(loop: asyncio.AbstractEventLoop, previous: Callable) -> Callable:
    def handle(sig: int, frame: Any) -> None:
        global _draining
        if _draining:  # a second signal: no more waiting
            previous(sig, frame)
            return
        _draining = True
        logger.warning("Signal %s: draining (goodbye to every socket), then shutting down", sig)
        loop.call_soon_threadsafe(lambda: asyncio.ensure_future(_drain_then(lambda: previous(sig, None))))

    return handle


async def _drain_then(shutdown: Callable[[], None]) -> None:
    try:
        await asyncio.wait_for(drain(), DRAIN_TIMEOUT_SECONDS)
    except Exception:
        logger.exception("Draining failed; shutting down anyway")
    finally:
        shutdown()


async def drain() -> None:
    """Say goodbye to every socket of this process (they reconnect elsewhere and resume)."""
    from realtime.shutdown import goodbye_all

    count = await goodbye_all("server_shutdown")
    logger.warning("Said goodbye to %d sockets", count)
