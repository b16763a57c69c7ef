"""A well-behaved client of the real-time protocol (docs/protocol.md), on the `websockets` library.

It does what the protocol asks of a client, so the failure tests measure the server:

* it applies messages idempotently by seq: a message it already has is ignored, and counted as a
  redundant delivery unless a replay brought it (a replay restarts at the last contiguous seq);
* it resumes on a gap (after 0.3 s, for events that merely arrive out of order) and after every
  reconnect (`?resume=1`, then `resume`);
* on `goodbye` or a lost socket it reconnects at once, with a little jitter;
* like the browser client (static/js/client/socket.js), it drops a socket that leaves a `resume`
  unanswered or answers it with an error, and one that leaves a heartbeat `ping` unanswered: a socket
  that does not answer cannot be trusted with posts either, and the reconnect resumes afresh;
* a post not acknowledged when its socket died is sent again with the same `client_msg_id` (the
  server returns the first one).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import websockets

OPEN_TIMEOUT = 10.0
GAP_GRACE_SECONDS = 0.3
RESUME_TIMEOUT = 15.0  # as the browser client
HEARTBEAT_SECONDS = 20.0
PONG_TIMEOUT = 8.0


@dataclass
class Post:
    client_msg_id: str
    text: str
    seq: int | None = None  # set when acknowledged


@dataclass
class ChatClient:
    """One person's socket to one channel, through the load balancer."""

    number: int
    token: str
    channel: str
    ws_url: str
    seen: set[int] = field(default_factory=set)
    duplicates: int = 0
    replayed_again: int = 0
    top: int = 0  # every seq up to this one has arrived
    posts: dict[str, Post] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    disconnects: list[float] = field(default_factory=list)
    hello_at: list[float] = field(default_factory=list)
    resumed_at: list[float] = field(default_factory=list)
    goodbyes: int = 0
    unanswered: list[str] = field(default_factory=list)  # why a socket was dropped: resume refused, no pong...
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    _ws: Any = None  # the websockets connection while connected
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _acks: dict[int, str] = field(default_factory=dict)
    _resuming: bool = False
    _gap_check: asyncio.TimerHandle | None = None
    _resume_task: asyncio.Future | None = None
    _resume_id: int | None = None
    _resume_timer: asyncio.TimerHandle | None = None
    _pong: asyncio.Event = field(default_factory=asyncio.Event)
    _dropping: asyncio.Future | None = None

    # --- Life -------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Stay connected until `stop` is set, reconnecting and resuming after every loss."""
        first = True
        while not stop.is_set():
            with contextlib.suppress(websockets.ConnectionClosed, OSError, TimeoutError, websockets.InvalidStatus):
                await self._session(resume=not first, stop=stop)
            self.connected.clear()
            self._ws = None
            if stop.is_set():
                return
            first = False
            self.disconnects.append(time.monotonic())
            await asyncio.sleep(random.uniform(0.05, 0.25))

    async def _session(self, *, resume: bool, stop: asyncio.Event) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        url = self.ws_url + ("?resume=1" if resume else "")
        async with websockets.connect(url, additional_headers=headers, open_timeout=OPEN_TIMEOUT) as ws:
            hello = json.loads(await asyncio.wait_for(ws.recv(), OPEN_TIMEOUT))
            if hello.get("type") != "hello":
                return
            self._ws, self._resuming = ws, False
            self.hello_at.append(time.monotonic())
            self._acks.clear()
            if resume:
                await self.resume()
            else:
                self.connected.set()
            stopper = asyncio.ensure_future(stop.wait())
            heartbeat = asyncio.ensure_future(self._heartbeat(ws))
            try:
                while True:
                    receive = asyncio.ensure_future(ws.recv())
                    done, _ = await asyncio.wait({receive, stopper}, return_when=asyncio.FIRST_COMPLETED)
                    if receive not in done:
                        receive.cancel()
                        return
                    await self._on_frame(json.loads(receive.result()))
            finally:
                stopper.cancel()
                heartbeat.cancel()
                self._cancel_resume_timer()

    # --- Frames --------------------------------------------------------------------------------

    async def _on_frame(self, frame: dict) -> None:
        kind = frame.get("type")
        if kind == "goodbye":
            self.goodbyes += 1
        elif kind == "pong":
            self._pong.set()
        elif kind == "message" and frame.get("channel") == self.channel and "seq" in frame and "subtype" not in frame:
            await self._on_message(frame["seq"])
        elif "reply_to" in frame:
            await self._on_reply(frame)

    async def _on_message(self, seq: int) -> None:
        if seq in self.seen:
            # A replay restarts at the last contiguous seq, so it may carry messages seen above a gap: the
            # protocol says to ignore those. Outside a replay, the same seq twice is a duplicate.
            if self._resuming:
                self.replayed_again += 1
            else:
                self.duplicates += 1
            return
        self.seen.add(seq)
        while self.top + 1 in self.seen:
            self.top += 1
        if seq > self.top + 1 and not self._resuming and self._gap_check is None:
            # A gap. Events posted through different processes may arrive out of order: give the missing
            # ones a moment before asking for a replay.
            self._gap_check = asyncio.get_running_loop().call_later(GAP_GRACE_SECONDS, self._check_gap)

    def _check_gap(self) -> None:
        self._gap_check = None
        if self.top < max(self.seen, default=0) and not self._resuming:
            self._resume_task = asyncio.ensure_future(self.resume())

    async def _on_reply(self, frame: dict) -> None:
        client_msg_id = self._acks.pop(frame["reply_to"], None)
        if frame["reply_to"] == self._resume_id and frame.get("type") != "resumed":
            self.errors.append(frame)
            await self._drop(f"resume refused: {(frame.get('error') or {}).get('code')}")
        elif frame.get("type") == "resumed":
            self._cancel_resume_timer()
            self._resuming = False
            self.resumed_at.append(time.monotonic())
            self.connected.set()
            if frame["channels"].get(self.channel, {}).get("has_more") or self.top < max(self.seen, default=0):
                await self.resume()
            await self._resend_unacknowledged()
        elif client_msg_id is not None and frame.get("ok"):
            self.posts[client_msg_id].seq = frame["seq"]
        elif not frame.get("ok"):
            self.errors.append(frame)

    async def resume(self) -> None:
        ws = self._ws
        if ws is None:
            return
        self._resuming = True
        frame_id = self._resume_id = next(self._ids)
        self._cancel_resume_timer()
        self._resume_timer = asyncio.get_running_loop().call_later(RESUME_TIMEOUT, self._resume_timed_out, ws)
        # A socket closed meanwhile (a goodbye) is reconnected by the read loop, which resumes again.
        with contextlib.suppress(websockets.ConnectionClosed):
            await ws.send(json.dumps({"id": frame_id, "type": "resume", "channels": {self.channel: self.top}}))

    def _cancel_resume_timer(self) -> None:
        if self._resume_timer is not None:
            self._resume_timer.cancel()
            self._resume_timer = None

    def _resume_timed_out(self, ws: Any) -> None:
        self._resume_timer = None
        if ws is self._ws:
            self._dropping = asyncio.ensure_future(self._drop("resume unanswered"))

    async def _heartbeat(self, ws: Any) -> None:
        """A ping every HEARTBEAT_SECONDS; a socket that leaves one unanswered for PONG_TIMEOUT is dropped."""
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            self._pong.clear()
            with contextlib.suppress(websockets.ConnectionClosed):
                await ws.send(json.dumps({"id": next(self._ids), "type": "ping"}))
            try:
                await asyncio.wait_for(self._pong.wait(), PONG_TIMEOUT)
            except TimeoutError:
                await self._drop("ping unanswered")
                return

    async def _drop(self, why: str) -> None:
        """Close this socket; the run loop reconnects and resumes."""
        ws = self._ws
        if ws is None:
            return
        self.unanswered.append(why)
        with contextlib.suppress(websockets.ConnectionClosed):
            await ws.close()

    # --- Posting ---------------------------------------------------------------------------------

    async def post(self, text: str) -> None:
        """Send one message (if connected); it is resent after a reconnect until acknowledged."""
        post = Post(client_msg_id=str(uuid.uuid4()), text=text)
        self.posts[post.client_msg_id] = post
        await self._send_post(post)

    async def _send_post(self, post: Post) -> None:
        ws = self._ws
        if ws is None or not self.connected.is_set():
            return
        frame_id = next(self._ids)
        self._acks[frame_id] = post.client_msg_id
        frame = {"id": frame_id, "type": "message", "channel": self.channel, "text": post.text}
        with contextlib.suppress(websockets.ConnectionClosed):
            await ws.send(json.dumps({**frame, "client_msg_id": post.client_msg_id}))

    async def _resend_unacknowledged(self) -> None:
        for post in list(self.posts.values()):
            if post.seq is None:
                await self._send_post(post)

    @property
    def acknowledged(self) -> dict[str, int]:
        return {cmid: post.seq for cmid, post in self.posts.items() if post.seq is not None}
