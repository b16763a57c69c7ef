"""The ASGI callables as the gateway sees them.

ASGI messages are plain dicts whose keys depend on their `type` (websocket.connect, websocket.send, ...);
the gateway builds and reads them by those keys, so they are typed as such dicts, not as one TypedDict per
message type.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeAlias

Scope: TypeAlias = dict[str, Any]
Message: TypeAlias = dict[str, Any]
Receive: TypeAlias = Callable[[], Awaitable[Message]]
# The servers' send is a coroutine function; Connection.deliver steps its coroutine by hand.
Send: TypeAlias = Callable[[Message], Coroutine[Any, Any, None]]
