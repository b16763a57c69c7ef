"""A slash command or an interaction to a Socket Mode app: sent as a `slash_commands` (or `interactive`)
envelope on one of its sockets, in whichever process, and its ack (with the app's answer as `payload`)
awaited for a few seconds.

The request that ran the command and the socket that carries it may be in different processes, so
they meet in the cache (Redis on the real stack): the first socket to claim the envelope sends it,
and its ack is left under the envelope's id for the waiting request to find.
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any

from django.core.cache import cache

from realtime import transport

if TYPE_CHECKING:
    from slack_apps.models import App

ANSWER_SECONDS = 60
POLL_SECONDS = 0.02


def claim_key(envelope_id: str) -> str:
    return f"sm-command-claim:{envelope_id}"


def ack_key(envelope_id: str) -> str:
    return f"sm-command-ack:{envelope_id}"


def send_and_wait(
    app: App, payload: dict[str, Any], *, timeout: float, envelope_type: str = "slash_commands"
) -> tuple[bool, dict[str, Any] | None]:
    """(acked, the ack's payload) for an envelope sent to the app's sockets; (False, None) after `timeout`."""
    envelope_id = secrets.token_hex(16)
    message = {"type": "sm.command", "envelope_id": envelope_id, "payload": payload, "envelope_type": envelope_type}
    transport.group_message(transport.app_sockets_group(app), message)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        acked = cache.get(ack_key(envelope_id))
        if acked is not None:
            cache.delete(ack_key(envelope_id))
            return True, acked.get("payload") if isinstance(acked.get("payload"), dict) else None
        time.sleep(POLL_SECONDS)
    return False, None
