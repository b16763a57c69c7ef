"""Connections the outgoing client (slackclone.outgoing) keeps open between requests: HTTP keep-alive.

An app hears of every message in its channels, so the same request URL is sent one request after
another; a connection kept open spares each a TCP (and TLS) handshake at both ends. A connection is
kept under the exact address it was checked and connected to, with the scheme, host name and port of
the URL, so a request reuses it only when its own resolution, checked anew, gives that address: the
checks of outgoing.py hold for every request, kept connection or not.

A connection idle for IDLE_SECONDS is closed rather than reused: servers close idle connections after
a few seconds (Uvicorn after 5), and one found closed all the same is replaced at once by the client.
A forked process (a Celery worker's child) starts with none: its parent's connections are not its own.
"""

from __future__ import annotations

import os
import threading
import time

from urllib3.connection import HTTPConnection

IDLE_SECONDS = 4.0
PER_ADDRESS = 16

# scheme, host name (as checked, and the TLS server name), port, the address connected to
Key = tuple[str, str, int, str]


class IdleConnections:
    """Open connections waiting for their next request, by the address they were checked and connected to."""

    def __init__(self) -> None:
        self._idle: dict[Key, list[tuple[float, HTTPConnection]]] = {}
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def take(self, key: Key) -> HTTPConnection | None:
        """The most recently used kept connection for `key`, or None; those idle too long are closed."""
        now = time.monotonic()
        with self._lock:
            self._forget_if_forked()
            entries = self._idle.get(key, [])  # oldest first
            fresh_from = 0
            while fresh_from < len(entries) and now - entries[fresh_from][0] >= IDLE_SECONDS:
                fresh_from += 1
            stale = [connection for _, connection in entries[:fresh_from]]
            del entries[:fresh_from]
            found = entries.pop()[1] if entries else None
        for connection in stale:
            connection.close()
        return found

    def give_back(self, key: Key, connection: HTTPConnection) -> None:
        """Keep a connection whose last answer was read whole and did not say it would close."""
        with self._lock:
            self._forget_if_forked()
            entries = self._idle.setdefault(key, [])
            if len(entries) < PER_ADDRESS:
                entries.append((time.monotonic(), connection))
                return
        connection.close()

    def clear(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for entries in idle.values():
            for _, connection in entries:
                connection.close()

    def _forget_if_forked(self) -> None:
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._idle = {}


idle_connections = IdleConnections()
