"""The soak's client: cluster.tests.chat_client.ChatClient, which resumes by seq after every reconnect, plus
what a careful client does about a post that was not acknowledged, and a record of every attempt.

A post is retried with the SAME client_msg_id until acknowledged: after an `ok: false` answer (a service
error such as service_unavailable, or ratelimited after its retry_after), after its socket dropped before
the answer (on the next `resumed`), and after ACK_TIMEOUT without any answer on a live socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from dataclasses import dataclass, field

import websockets

from cluster.tests.chat_client import ChatClient, Post

ACK_TIMEOUT = 10.0
RETRY_SECONDS = 0.5


@dataclass
class SoakPost(Post):
    mentions: str | None = None  # the user id the text @mentions
    ts: str | None = None
    created: float = 0.0
    first_sent: float | None = None
    last_sent: float = 0.0
    acked_at: float | None = None


@dataclass
class Refusal:
    """One attempt that did not get the post stored: why (an error code, `drop`, `timeout`) and when."""

    at: float
    why: str


@dataclass
class SoakClient(ChatClient):
    user: str = ""
    refusals: list[Refusal] = field(default_factory=list)
    retry_handles: set = field(default_factory=set)
    background: set = field(default_factory=set)

    async def post_text(self, text: str, *, mentions: str | None = None) -> SoakPost:
        post = SoakPost(client_msg_id=str(uuid.uuid4()), text=text, mentions=mentions, created=time.monotonic())
        self.posts[post.client_msg_id] = post
        await self._send_post(post)
        return post

    async def _send_post(self, post: Post) -> None:
        if self._ws is None or not self.connected.is_set() or post.seq is not None:
            return
        now = time.monotonic()
        if isinstance(post, SoakPost):
            post.first_sent = post.first_sent or now
            post.last_sent = now
        await super()._send_post(post)

    async def _on_reply(self, frame: dict) -> None:
        reply_to = frame.get("reply_to")
        client_msg_id = self._acks.get(reply_to) if isinstance(reply_to, int) else None
        await super()._on_reply(frame)
        if client_msg_id is None:
            return
        post = self.posts[client_msg_id]
        if frame.get("ok"):
            if isinstance(post, SoakPost) and post.acked_at is None:
                post.acked_at, post.ts = time.monotonic(), frame.get("ts")
            return
        error = frame.get("error") or {}
        self.refusals.append(Refusal(time.monotonic(), str(error.get("code", "error"))))
        delay = float(error.get("retry_after") or RETRY_SECONDS)
        handle = asyncio.get_running_loop().call_later(delay, self._retry, post)
        self.retry_handles.add(handle)

    def _retry(self, post: Post) -> None:
        task = asyncio.ensure_future(self._send_post(post))
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def _resend_unacknowledged(self) -> None:
        """After a resume: every post sent on the lost socket and not answered is a refused write."""
        for post in list(self.posts.values()):
            if post.seq is None and isinstance(post, SoakPost) and post.first_sent is not None:
                self.refusals.append(Refusal(time.monotonic(), "drop"))
        await super()._resend_unacknowledged()

    async def resend_stale(self) -> None:
        """Posts sent ACK_TIMEOUT ago on a socket that never answered: send them again."""
        now = time.monotonic()
        for post in list(self.posts.values()):
            if (
                isinstance(post, SoakPost)
                and post.seq is None
                and post.first_sent
                and now - post.last_sent > ACK_TIMEOUT
            ):
                self.refusals.append(Refusal(now, "timeout"))
                await self._send_post(post)

    async def reconnect(self) -> None:
        """Drop the socket as a phone changing networks would; the run loop reconnects and resumes."""
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(websockets.ConnectionClosed):
                await ws.close()

    def cancel_retries(self) -> None:
        for handle in self.retry_handles:
            handle.cancel()

    @property
    def unacknowledged(self) -> list[Post]:
        return [post for post in self.posts.values() if post.seq is None]
