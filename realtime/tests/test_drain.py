"""A process that begins to drain (SIGTERM, slackclone.lifespan) says goodbye to every socket, including one
that was still being set up: past the gate that refuses new sockets, not yet among the hub's connections
that the drain tells. Such a socket would otherwise stay open until the server's graceful timeout ran out."""

import pytest

from realtime import auth, connection
from slackclone import lifespan

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


async def test_a_socket_still_connecting_when_the_drain_begins_hears_goodbye_instead_of_hello(
    team, sockets, monkeypatch
):
    async def authenticate_then_drain(scope):
        result = await auth.authenticate(scope)
        monkeypatch.setattr(lifespan, "_draining", True)  # the drain's goodbye_all runs now and misses it
        return result

    monkeypatch.setattr(connection, "authenticate", authenticate_then_drain)
    socket = await sockets.session(team.member, hello=False)
    assert await socket.recv() == {"type": "goodbye", "reason": "server_shutdown"}
    assert await socket.expect_close() == connection.CLOSE_RECONNECT
