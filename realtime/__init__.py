"""The real-time layer: how events reach browsers and bots over one WebSocket per client.

    transport.py     the only code that talks to the channel layer: every app publishes its events here,
                     after commit (the apps build them: chat.events, workspaces.events, accounts.events,
                     notifications.events)
    connection.py    one WebSocket: the handshake, frames in, events out (a plain ASGI application)
    auth.py          who is on the socket (session cookie with an Origin check, or a Bearer API token)
    hub.py           the process's single subscription to the channel layer and its local fan-out
    frames.py        validation of client frames
    calls.py         the gateway's calls into selectors and services, run in worker threads
    resume.py        replay of what a client missed, from the database
    replay_cache.py  one replay built per process for everyone resuming from the same point
    presence.py      online/away across processes, kept in Redis with heartbeat expiry
    limits.py        caps on sockets per person and per token, and the connect rate
    store.py         the small shared state (Redis, or memory in the one-process embedded default)
    tickets.py       rtm.connect's one-time tickets
    protocol.py      Uvicorn's WebSocket protocol with smaller per-socket state
    shutdown.py      goodbye to every socket on SIGTERM
    routing.py       the WebSocket application the ASGI router mounts at /ws/

docs/protocol.md describes the protocol the socket speaks.
"""
