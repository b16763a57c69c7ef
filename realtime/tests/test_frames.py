"""Every client frame and every error reply: the socket answers precisely and keeps the connection."""

import json

import pytest

from chat.models import Message
from chat.services import channel_archive, channel_create, message_post
from realtime.tests.conftest import run

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


async def test_ping_is_answered_by_pong_with_the_same_id(team, sockets):
    socket = await sockets.session(team.member)
    await socket.send({"id": 42, "type": "ping", "time": 1403299273342})
    assert await socket.recv() == {"type": "pong", "reply_to": 42, "id": 42, "time": 1403299273342}


async def test_message_frame_posts_through_the_service_and_everyone_hears_it(team, sockets):
    author = await sockets.session(team.member)
    reader = await sockets.session(team.owner)
    frame = {"id": 1, "type": "message", "channel": team.general.public_id, "text": "hello", "client_msg_id": "c-1"}
    reply = await author.request(frame)
    stored = await run(lambda: Message.objects.get(channel=team.general, client_msg_id="c-1"))
    assert reply == {
        "ok": True,
        "reply_to": 1,
        "channel": team.general.public_id,
        "ts": stored.ts,
        "seq": stored.seq,
        "text": "hello",
    }
    event = (await reader.recv_until(lambda f: f.get("type") == "message"))[-1]
    assert event["text"] == "hello"
    assert (event["user"], event["ts"], event["seq"], event["client_msg_id"]) == (
        team.member.public_id,
        stored.ts,
        stored.seq,
        "c-1",
    )


async def test_thread_reply_over_the_socket(team, sockets):
    root = await run(message_post, sender=team.owner, channel=team.general, text="root")
    socket = await sockets.session(team.member)
    reader = await sockets.session(team.owner)
    reply = await socket.request(
        {"id": 2, "type": "message", "channel": team.general.public_id, "text": "in thread", "thread_ts": root.ts}
    )
    assert reply["ok"] is True
    event = (await reader.recv_until(lambda f: f.get("type") == "message" and "subtype" not in f))[-1]
    assert (event["text"], event["thread_ts"]) == ("in thread", root.ts)


async def test_same_client_msg_id_posts_once(team, sockets):
    socket = await sockets.session(team.member)
    frame = {"type": "message", "channel": team.general.public_id, "text": "once", "client_msg_id": "same"}
    first = await socket.request({"id": 1, **frame})
    second = await socket.request({"id": 2, **frame})
    assert (first["ts"], first["seq"]) == (second["ts"], second["seq"])
    assert await run(lambda: Message.objects.filter(channel=team.general).count()) == 1


@pytest.mark.parametrize(
    ("frame", "code", "field"),
    [
        ({"id": 1, "type": "message", "text": "x"}, "invalid_arguments", "channel"),
        ({"id": 1, "type": "message", "channel": "C1"}, "invalid_arguments", "text"),
        ({"id": 1, "type": "message", "channel": "C1", "text": 5}, "invalid_arguments", "text"),
        ({"type": "message", "channel": "C1", "text": "x"}, "invalid_arguments", "id"),
        ({"id": 1}, "invalid_arguments", "type"),
        ({"id": 1, "type": "mesage"}, "unknown_type", "type"),
        ({"id": 1, "type": "typing"}, "invalid_arguments", "channel"),
        ({"id": 1, "type": "mark", "channel": "C1"}, "invalid_arguments", "seq"),
        ({"id": 1, "type": "mark", "channel": "C1", "seq": -1}, "invalid_arguments", "seq"),
        ({"id": 1, "type": "resume"}, "invalid_arguments", "channels"),
        ({"id": 1, "type": "resume", "channels": ["C1"]}, "invalid_arguments", "channels"),
        ({"id": 1, "type": "resume", "channels": {"C1": "ten"}}, "invalid_arguments", "channels.C1"),
        ({"id": True, "type": "ping"}, "invalid_arguments", "id"),
        ({"id": 1, "type": "view"}, "invalid_arguments", "channel"),
        ({"id": 1, "type": "view", "channel": 7}, "invalid_arguments", "channel"),
        ({"id": 1, "type": "presence_sub"}, "invalid_arguments", "ids"),
        ({"id": 1, "type": "presence_sub", "ids": "U1"}, "invalid_arguments", "ids"),
        ({"id": 1, "type": "presence_sub", "ids": ["U1", 2]}, "invalid_arguments", "ids"),
        ({"id": 1, "type": "presence_sub", "ids": [""]}, "invalid_arguments", "ids"),
        ({"id": 1, "type": "presence_sub", "ids": ["U" + "1" * 40]}, "invalid_arguments", "ids"),
        ({"id": 1, "type": "presence_sub", "ids": [f"U{n}" for n in range(501)]}, "invalid_arguments", "ids"),
    ],
)
async def test_malformed_frames_get_an_error_naming_the_problem(team, sockets, frame, code, field):
    socket = await sockets.session(team.member)
    await socket.send(frame)
    reply = await socket.recv()
    assert reply["ok"] is False
    assert reply["error"]["code"] == code
    assert field in reply["error"]["msg"]
    assert reply["error"]["fields"] == {field: reply["error"]["fields"][field]}
    assert (await socket.request({"id": 9, "type": "ping"}))["type"] == "pong", "the connection is kept"


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("{not json", "invalid_json", "not valid JSON"),
        ("[1, 2]", "invalid_json", "JSON object"),
        ("[" * 60_000, "invalid_json", "nested more than 64 levels deep"),
        ('{"id": 1, "type": "ping", "x": ' + "[" * 100 + "]" * 100 + "}", "invalid_json", "64 levels"),
        (json.dumps({"id": 1, "type": "ping", "pad": "x" * (64 * 1024)}), "frame_too_large", "64 KiB"),
    ],
)
async def test_unreadable_frames_get_an_error_and_keep_the_connection(team, sockets, text, code, words):
    socket = await sockets.session(team.member)
    await socket.send(text)
    reply = await socket.recv()
    assert (reply["ok"], reply["reply_to"], reply["error"]["code"]) == (False, None, code)
    assert words in reply["error"]["msg"]
    assert (await socket.request({"id": 9, "type": "ping"}))["type"] == "pong"


async def test_binary_frames_are_refused_with_a_reason(team, sockets):
    socket = await sockets.session(team.member)
    await socket.communicator.send_to(bytes_data=b"\x00\x01")
    reply = await socket.recv()
    assert reply["error"]["code"] == "invalid_json"
    assert "binary" in reply["error"]["msg"]


async def test_a_client_that_keeps_sending_garbage_is_closed_with_4008(team, sockets):
    socket = await sockets.session(team.member)
    for _ in range(9):
        await socket.send("garbage")
        assert (await socket.recv())["error"]["code"] == "invalid_json"
    await socket.send("garbage")
    assert (await socket.recv())["error"]["code"] == "invalid_json"
    assert await socket.expect_close() == 4008


async def test_service_errors_become_error_replies(team, sockets):
    private = await run(channel_create, actor=team.owner, workspace=team.workspace, name="secret", is_private=True)
    old = await run(channel_create, actor=team.member, workspace=team.workspace, name="old")
    await run(channel_archive, actor=team.member, channel=old)
    socket = await sockets.session(team.member)
    cases = {
        private.public_id: "channel_not_found",
        "CNOSUCHCHAN": "channel_not_found",
        old.public_id: "is_archived",
    }
    for number, (channel_id, code) in enumerate(cases.items(), start=1):
        reply = await socket.request({"id": number, "type": "message", "channel": channel_id, "text": "hi"})
        assert (reply["ok"], reply["error"]["code"]) == (False, code), channel_id
    reply = await socket.request({"id": 9, "type": "message", "channel": team.general.public_id, "text": "   "})
    assert reply["error"]["code"] == "no_text"
    assert await run(lambda: Message.objects.count()) == 0


async def test_posting_to_a_public_channel_you_are_not_in_is_not_in_channel(team, sockets):
    channel = await run(channel_create, actor=team.owner, workspace=team.workspace, name="elsewhere")
    socket = await sockets.session(team.member)
    reply = await socket.request({"id": 1, "type": "message", "channel": channel.public_id, "text": "hi"})
    assert reply["error"]["code"] == "not_in_channel"


async def test_message_rate_is_limited_per_user_across_sockets_and_the_connection_is_kept(team, sockets, wall_clock):
    tab, other_tab = await sockets.session(team.member), await sockets.session(team.member)
    # The clock stands still, so the burst is not refilled meanwhile.
    for number in range(1, 16):
        await tab.send({"id": number, "type": "message", "channel": "CNOSUCHCHAN", "text": f"flood {number}"})
        await other_tab.send({"id": number, "type": "message", "channel": "CNOSUCHCHAN", "text": f"flood {number}"})
    replies = [f for f in await tab.recv_until(lambda f: f.get("reply_to") == 15, timeout=10) if "reply_to" in f]
    replies += [f for f in await other_tab.recv_until(lambda f: f.get("reply_to") == 15, timeout=10) if "reply_to" in f]
    codes = [r["error"]["code"] for r in replies]
    assert codes.count("channel_not_found") == 20, "a burst of 20 per user"
    assert codes.count("ratelimited") == 10
    assert all(r["error"]["retry_after"] == 0.1 for r in replies if r["error"]["code"] == "ratelimited")
    wall_clock.advance(0.2)
    reply = await tab.request({"id": 99, "type": "message", "channel": team.general.public_id, "text": "calm again"})
    assert reply["ok"] is True, "the connection is kept and posts again once the bucket refills"


async def test_typing_reaches_the_channel_once_per_three_seconds(team, sockets):
    typist = await sockets.session(team.member)
    reader = await sockets.session(team.owner)
    await typist.send({"id": 1, "type": "typing", "channel": team.general.public_id})
    event = (await reader.recv_until(lambda f: f.get("type") == "user_typing"))[-1]
    assert event == {"type": "user_typing", "channel": team.general.public_id, "user": team.member.public_id, "seq": 0}
    await typist.send({"id": 2, "type": "typing", "channel": team.general.public_id})
    await reader.nothing(0.5)


async def test_typing_in_a_channel_over_the_typing_limit_is_answered_and_tells_nobody(team, sockets, settings):
    settings.TYPING_MAX_CHANNEL_MEMBERS = 2
    typist = await sockets.session(team.member)
    reader = await sockets.session(team.owner)
    reply = await typist.request({"id": 1, "type": "typing", "channel": team.general.public_id})
    assert reply == {"ok": True, "reply_to": 1}
    await reader.nothing(0.5)


async def test_typing_in_a_channel_you_are_not_in_is_refused(team, sockets):
    private = await run(channel_create, actor=team.owner, workspace=team.workspace, name="hush", is_private=True)
    socket = await sockets.session(team.member)
    reply = await socket.request({"id": 1, "type": "typing", "channel": private.public_id})
    assert reply["error"]["code"] == "channel_not_found"


async def test_typing_in_a_public_channel_you_have_not_joined_is_refused_and_tells_nobody(team, sockets):
    elsewhere = await run(channel_create, actor=team.owner, workspace=team.workspace, name="elsewhere")
    socket = await sockets.session(team.member)
    reader = await sockets.session(team.owner)
    reply = await socket.request({"id": 1, "type": "typing", "channel": elsewhere.public_id})
    assert reply["error"]["code"] == "channel_not_found"  # not one of the socket's channels
    await reader.nothing(0.3)


async def test_mark_moves_the_read_marker_and_tells_the_users_other_tabs(team, sockets):
    messages = [await run(message_post, sender=team.owner, channel=team.general, text=f"m{i}") for i in range(3)]
    tab, other_tab = await sockets.session(team.member), await sockets.session(team.member)
    reply = await tab.request({"id": 1, "type": "mark", "channel": team.general.public_id, "ts": messages[1].ts})
    assert reply == {"ok": True, "reply_to": 1, "channel": team.general.public_id, "seq": 2}
    marked = (await other_tab.recv_until(lambda f: f.get("type") == "channel_marked"))[-1]
    assert (marked["channel"], marked["seq"], marked["unread_count_display"]) == (team.general.public_id, 2, 1)
    reply = await tab.request({"id": 2, "type": "mark", "channel": team.general.public_id, "seq": 3})
    assert reply["seq"] == 3
