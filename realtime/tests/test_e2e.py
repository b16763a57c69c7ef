"""End to end: two Daphne processes on their own ports, sharing PostgreSQL and a Redis of the test's own,
with clients speaking the `websockets` library. Every process started here is stopped by its pid.

The servers use pytest-django's test database (these tests commit, transaction=True); the test
process publishes the events of the services it calls to the same Redis, as a third process would.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import websockets
from django.conf import settings
from django.db import connection
from django.test import override_settings

from chat.services import channel_create, channel_invite, channel_kick, message_post
from realtime.tests.conftest import ORIGIN, session_cookie, token_for
from slackclone.testing.processes import OwnRedis, free_port, wait_for_port
from slackclone.testing.processes import stop as stop_process
from workspaces.models import Membership
from workspaces.services import member_add, member_deactivate

pytestmark = [pytest.mark.integration, pytest.mark.anyio, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
REDIS_PORTS = range(6390, 6400)
SOCKETS_PER_USER_MAX = 3  # the servers' limit, low enough for a test to reach


class Server:
    """One Daphne process of the real ASGI application."""

    def __init__(self, database_name: str, redis_url: str, *, own_site_url: bool = False, **extra_env: str) -> None:
        """`own_site_url`: SITE_URL is this process's address (for links it hands out, such as a
        slash command's response_url); otherwise the default, whose origin the socket tests send."""
        self.port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "slackclone.settings_test",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database_name}",
            "REDIS_URL": redis_url,
            "SECRET_KEY": settings.SECRET_KEY,
            "LOG_LEVEL": "WARNING",
            "SOCKETS_PER_USER_MAX": str(SOCKETS_PER_USER_MAX),
            **({"SITE_URL": f"http://127.0.0.1:{self.port}"} if own_site_url else {}),
            **extra_env,
        }
        daphne = Path(sys.executable).with_name("daphne")
        self.process = subprocess.Popen(
            [str(daphne), "-b", "127.0.0.1", "-p", str(self.port), "slackclone.asgi:application"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process)

    def url(self, query: str = "") -> str:
        return f"ws://127.0.0.1:{self.port}/ws/{query}"


@pytest.fixture(scope="module")
def _processes(django_db_setup):
    """Redis and two servers on the test database, for the module's tests (the Redis outage test is last)."""
    redis = OwnRedis(REDIS_PORTS)
    redis.start()
    servers = []
    try:
        database_name = connection.settings_dict["NAME"]
        servers = [Server(database_name, redis.url), Server(database_name, redis.url)]
        yield redis, servers
    finally:
        for server in servers:
            stop_process(server.process)
        redis.stop()


@pytest.fixture
def stack(_processes, transactional_db):
    """The processes, with this test process's channel layer on their Redis, as a third process would be."""
    redis, _ = _processes
    layers = {
        "default": {
            "BACKEND": settings.CHANNEL_LAYERS["default"]["BACKEND"],
            "CONFIG": {**settings.CHANNEL_LAYERS["default"]["CONFIG"], "hosts": [redis.url]},
        }
    }
    with override_settings(CHANNEL_LAYERS=layers):
        yield _processes


async def connect(server: Server, user, *, resume: bool = False):
    cookie = await asyncio.to_thread(session_cookie, user)
    ws = await websockets.connect(
        server.url("?resume=1" if resume else ""),
        origin=ORIGIN,
        additional_headers={"Cookie": cookie},
        open_timeout=10,
    )
    assert json.loads(await asyncio.wait_for(ws.recv(), 5)) == {"type": "hello"}
    return ws


async def frames_until(ws, predicate, timeout: float = 5.0) -> list[dict]:
    seen = []
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if frame.get("type") == "presence_change":
                continue
            seen.append(frame)
            if predicate(frame):
                return seen


async def quiet(ws, wait: float = 1.0) -> None:
    """Nothing but presence news arrives for `wait` seconds."""
    try:
        async with asyncio.timeout(wait):
            while True:
                frame = json.loads(await ws.recv())
                assert frame.get("type") == "presence_change", f"unexpected {frame}"
    except TimeoutError:
        return


async def test_a_message_posted_through_one_process_reaches_a_client_of_the_other(team, stack):
    _, (first, second) = stack
    author, reader = await connect(first, team.member), await connect(second, team.owner)
    await author.send(json.dumps({"id": 1, "type": "message", "channel": team.general.public_id, "text": "hop"}))
    reply = (await frames_until(author, lambda f: f.get("reply_to") == 1))[-1]
    assert reply["ok"] is True
    event = (await frames_until(reader, lambda f: f.get("type") == "message"))[-1]
    assert (event["text"], event["seq"], event["user"]) == ("hop", reply["seq"], team.member.public_id)
    await author.close()
    await reader.close()


async def test_a_client_that_drops_gets_exactly_the_200_it_missed_on_resume(team, stack):
    _, (first, second) = stack
    reader = await connect(second, team.owner)
    await asyncio.to_thread(message_post, sender=team.member, channel=team.general, text="seen")
    seen = (await frames_until(reader, lambda f: f.get("type") == "message"))[-1]["seq"]
    await reader.close()

    def post_200():
        return [message_post(sender=team.member, channel=team.general, text=f"missed {i}") for i in range(200)]

    missed = await asyncio.to_thread(post_200)
    reader = await connect(first, team.owner, resume=True)
    await reader.send(json.dumps({"id": 5, "type": "resume", "channels": {team.general.public_id: seen}}))
    frames = await frames_until(reader, lambda f: f.get("reply_to") == 5, timeout=15)
    replayed, reply = frames[:-1], frames[-1]
    assert [(f["seq"], f["text"]) for f in replayed] == [(m.seq, m.text) for m in missed]
    assert reply["channels"][team.general.public_id] == {"seq": missed[-1].seq, "replayed": 200, "has_more": False}
    await reader.close()


async def test_a_kicked_member_gets_nothing_more_in_any_process(team, stack):
    _, (first, second) = stack
    channel = await asyncio.to_thread(channel_create, actor=team.owner, workspace=team.workspace, name="e2e-ops")
    await asyncio.to_thread(channel_invite, actor=team.owner, channel=channel, users=[team.member])
    kicked_first, kicked_second = await connect(first, team.member), await connect(second, team.member)
    owner = await connect(second, team.owner)
    await asyncio.to_thread(channel_kick, actor=team.owner, channel=channel, user=team.member)
    for ws in (kicked_first, kicked_second):
        await frames_until(ws, lambda f: f.get("type") == "channel_left")
    await owner.send(json.dumps({"id": 1, "type": "message", "channel": channel.public_id, "text": "after the kick"}))
    await frames_until(owner, lambda f: f.get("text") == "after the kick")
    await quiet(kicked_first)
    await quiet(kicked_second, 0.2)
    for ws in (kicked_first, kicked_second, owner):
        await ws.close()


async def connect_with_token(server: Server, user, workspace):
    raw = await asyncio.to_thread(token_for, user, workspace)
    ws = await websockets.connect(server.url(), additional_headers={"Authorization": f"Bearer {raw}"}, open_timeout=10)
    assert json.loads(await asyncio.wait_for(ws.recv(), 5)) == {"type": "hello"}
    return ws


async def test_a_token_socket_hears_only_its_workspace_and_closes_when_its_membership_ends(team, outsider, stack):
    _, (first, second) = stack

    def other_workspace():
        workspace = Membership.objects.get(user=outsider).workspace
        member_add(actor=outsider, workspace=workspace, user=team.member)
        return workspace

    other = await asyncio.to_thread(other_workspace)
    token_socket, browser = (
        await connect_with_token(first, team.member, team.workspace),
        await connect(second, team.member),
    )
    await asyncio.to_thread(
        channel_create, actor=team.member, workspace=other, name="e2e-secret", is_private=True, topic="plans"
    )
    await frames_until(browser, lambda f: f.get("type") == "channel_joined")
    await asyncio.to_thread(member_deactivate, actor=team.owner, workspace=team.workspace, user=team.member)
    heard = []
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await frames_until(token_socket, lambda f: heard.append(f) and False)
    assert closed.value.rcvd.code == 4401  # Daphne sends no close reason
    assert not [f for f in heard if f.get("type") == "channel_joined"], "the other workspace's private channel"
    assert "e2e-secret" not in str(heard)
    await browser.send(json.dumps({"id": 1, "type": "ping"}))
    await frames_until(browser, lambda f: f.get("reply_to") == 1)
    await browser.close()


async def test_a_persons_socket_limit_holds_across_processes(team, stack):
    _, (first, second) = stack
    opened = [await connect(first, team.member), await connect(second, team.member)]
    opened.append(await connect_with_token(second, team.member, team.workspace))
    cookie = await asyncio.to_thread(session_cookie, team.member)
    for server in (first, second):
        ws = await websockets.connect(server.url(), origin=ORIGIN, additional_headers={"Cookie": cookie})
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd.code == 4029, "refused, and sent nothing"
    await opened.pop(0).close()
    # The closed socket's place is free in every process once its process has let it go.
    async with asyncio.timeout(5):
        while True:
            again = await websockets.connect(second.url(), origin=ORIGIN, additional_headers={"Cookie": cookie})
            try:
                assert json.loads(await asyncio.wait_for(again.recv(), 5)) == {"type": "hello"}
                break
            except websockets.ConnectionClosed:
                continue
    for ws in [*opened, again]:
        await ws.close()


async def test_posts_made_while_redis_is_down_are_delivered_once_it_is_back(team, stack):
    redis, (first, second) = stack
    author, reader = await connect(first, team.member), await connect(second, team.owner)
    await author.send(json.dumps({"id": 1, "type": "message", "channel": team.general.public_id, "text": "before"}))
    seen = (await frames_until(reader, lambda f: f.get("text") == "before"))[-1]["seq"]
    redis.stop()
    replies = []
    for number in range(2, 5):
        await author.send(
            json.dumps({"id": number, "type": "message", "channel": team.general.public_id, "text": f"down {number}"})
        )
        replies.append((await frames_until(author, lambda f, n=number: f.get("reply_to") == n, timeout=15))[-1])
    assert all(reply["ok"] for reply in replies), "posts succeed and are stored while Redis is down"
    redis.start()
    # Each process finds the layer back, and asks its sockets to reconnect and resume.
    goodbye = await frames_until(reader, lambda f: f.get("type") == "goodbye", timeout=15)
    assert goodbye[-1]["reason"] == "layer_reconnected"
    reader = await connect(second, team.owner, resume=True)
    await reader.send(json.dumps({"id": 9, "type": "resume", "channels": {team.general.public_id: seen}}))
    frames = await frames_until(reader, lambda f: f.get("reply_to") == 9)
    assert [f["text"] for f in frames[:-1]] == ["down 2", "down 3", "down 4"]
    await author.close()
    await reader.close()
