"""The real-time gateway: one WebSocket per client, fanned out per process, resumable from the database.

    auth.py      who is on the socket (session cookie with an Origin check, or a Bearer API token)
    consumer.py  one connection: frames in, events out
    hub.py       the process's single subscription to the channel layer and its local fan-out
    frames.py    validation of client frames
    resume.py    replay of what a client missed, from the database
    presence.py  online/away across processes, kept in Redis with heartbeat expiry
    store.py     the small shared state (Redis, or memory in the one-process embedded default)
    queries.py   the database work of the gateway (run in threads), all through services and selectors

docs/protocol.md describes the protocol the socket speaks.
"""
