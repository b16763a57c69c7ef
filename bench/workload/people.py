"""The people of one step: one browser-like socket each, their actions, and what every socket received.

One scheduler task walks the step's Poisson stream (bench.workload.schedule) and acts for the person
each event names; socket frames are written at once, HTTP requests go to a few worker tasks over
keep-alive connections (bench.workload.http). Every post carries its index and send time in its text
(`wl~<index>~<ns>~`), so each socket's receipt is timed and recorded without decoding the frame.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
import uuid
from array import array
from collections import Counter, deque
from collections.abc import Awaitable, Callable

from bench.fanout.client import Client, open_client
from bench.workload.company import Company
from bench.workload.http import HttpPool, multipart
from bench.workload.schedule import Action, Rates, actions

MARK = b"wl~"
SEQ = re.compile(rb'"seq":(\d+)')
EMOJI = ("thumbsup", "tada", "eyes", "rocket", "heart", "100", "pray", "fire")
SEARCH_WORDS = ("deploy", "release", "billing", "migration", "dashboard", "onboarding", "tests", "roadmap")
WORDS = ("please", "have", "a", "look", "at", "the", "staging", "deploy", "before", "release", "today", "notes")
HISTORY_PAGE = 50  # static/js/client/channel-view.js PAGE
RECENT = 30
CONNECT_BATCH = 100
TAIL_S = 30.0  # requests still queued this long after the last action are dropped (and counted)
RECONNECT_DELAY_S = (0.5, 1.0)  # the client's first backoff: equal jitter over 1 s
VIEW_TIMEOUT_S = 3.0  # socket.js VIEW_TIMEOUT_MS
SIZE_CLASSES = ("up to 50", "51 to half", "over half")  # members of the conversation a delivery is in


def size_class(members: int, people: int) -> str:
    """Where a conversation's deliveries are summed apart: one post in a channel of most of the company is
    written to most sockets at once, so its deliveries' latency is not the small channels'."""
    if members <= 50:
        return SIZE_CLASSES[0]
    return SIZE_CLASSES[1] if members * 2 <= people else SIZE_CLASSES[2]


class People:
    """The sockets and the actions of the first `count` people of a company."""

    def __init__(
        self,
        company: Company,
        port: int,
        rates: Rates,
        *,
        seed: int,
        http: HttpPool,
        weight_exponent: float,
        marks_over_http: bool = False,
        send_views: bool = True,
        follow_presence: bool = True,
    ):
        self.company, self.port, self.rates, self.http = company, port, rates, http
        self.seed = seed
        self.rng = random.Random(seed)  # the warm-up's and the reconnect delays'; each action has its own
        self.count = len(company.people_pks)
        self.mine = company.of_person()
        self.weights = [
            [len(company.conversations[c].members) ** -weight_exponent for c in convs] for convs in self.mine
        ]
        self.recent = [deque(c.history_ts[-RECENT:], maxlen=RECENT) for c in company.conversations]
        self.clients: list[Client | None] = [None] * self.count
        self.live = bytearray(self.count)  # connected, hello seen, not replaying
        self.reconnected = bytearray(self.count)  # closed at least once during the step
        self.seen: list[dict[int, int]] = [{} for _ in range(self.count)]  # conversation -> last seq received
        self.ready: dict[int, asyncio.Future] = {}
        self.pending: dict[tuple[int, int], tuple[str, int, float, bool, dict]] = {}
        self.resend: dict[int, list[tuple[int, dict]]] = {}  # posts in flight on a socket closed under them
        # The conversation each person's page shows (the browser opens one as it loads, and says so with
        # a `view` frame on every socket it opens; -1: none said): a large channel's reactions reach only its viewers.
        self.send_views = send_views
        self.viewing = [c[p % len(c)] if c and send_views else -1 for p, c in enumerate(self.mine)]
        # The people each page shows a presence dot for, and so follows (`presence_sub`, at every hello):
        # the sidebar's DM partners. None: send no presence_sub, and get every change of the workspace.
        self.followed = [self._dm_partners(p) for p in range(self.count)] if follow_presence else None
        self.view_waiters: dict[tuple[int, int], asyncio.Future[None]] = {}
        self.reacted: set[tuple[int, str, str]] = set()
        self.sent_conv: list[int] = []  # post index -> conversation
        self.delivered: set[int] = set()
        self.latencies = array("d")
        self.size_class = [size_class(len(c.members), self.count) for c in company.conversations]
        self.latencies_by_size: dict[str, array] = {name: array("d") for name in SIZE_CLASSES}
        self.http_ms: dict[str, array] = {}
        self.marks_over_http = marks_over_http  # every read marker over REST, not the socket (for comparison)
        self.socket_ms: dict[str, array] = {}  # socket requests other than posts (mark), frame to reply
        self.ack_ms = array("d")
        # The worst latency of anything started in each second of the run (delivery, HTTP, socket request):
        # a tail made of a few stalls shows as a few bad seconds, a queue as many.
        self.worst_by_second: dict[int, float] = {}
        self.started_wall = self.started_mono = 0.0
        self.errors: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()
        self.duplicates = self.duplicates_after_resume = self.replayed = 0
        self.frames: Counter[bytes] = Counter()  # text frames the sockets received, by type: the fan-out written
        self.next_id = 0
        self.stopping = False
        self.cutoff = float("inf")
        self.tasks: set[asyncio.Future] = set()
        self.http_queue: asyncio.Queue[Callable[[], Awaitable[object]] | None] = asyncio.Queue()

    # --- sockets ------------------------------------------------------------------------------

    def headers(self, person: int) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.company.tokens[person]}"}

    async def connect(self) -> int:
        """Open every person's socket (in batches, each retried once); returns the failed handshakes."""
        failures = 0

        async def one(person: int) -> None:
            nonlocal failures
            for _ in range(2):
                waiter = self.ready[person] = asyncio.get_running_loop().create_future()
                try:
                    client = await open_client(self.port, "/ws/", self.headers(person), self.on_text, person)
                    await asyncio.wait_for(waiter, 30)
                    self._attach(client)
                    return
                except (TimeoutError, OSError, ConnectionError):
                    failures += 1
            self.errors["ws connect failed"] += 1

        for start in range(0, self.count, CONNECT_BATCH):
            await asyncio.gather(*(one(n) for n in range(start, min(self.count, start + CONNECT_BATCH))))
        return failures

    def _attach(self, client: Client) -> None:
        self.clients[client.number] = client
        self.live[client.number] = 1
        self._watch(client)

    def _watch(self, client: Client) -> None:
        client.closed.add_done_callback(lambda _: self._closed(client))

    def _closed(self, client: Client) -> None:
        person = client.number
        if self.stopping or self.clients[person] is not client:
            return  # closed by us: at the end, or for a reconnect (which replaced it first)
        self.errors[f"ws closed {client.close_code}"] += 1
        self.clients[person] = None
        self.live[person] = 0
        self.reconnected[person] = 1
        self._hold_posts(person)
        self._spawn(self._reopen(person))

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        """A short task kept referenced until it ends (a reconnect)."""
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _hold_posts(self, person: int) -> None:
        """Posts unanswered on a closing socket are sent again after the resume, with the same
        client_msg_id, as the browser client does (the server stores each once)."""
        for key in [key for key in self.view_waiters if key[0] == person]:
            waiter = self.view_waiters.pop(key)
            if not waiter.done():
                waiter.set_result(None)  # the switch goes on; the next hello says the view
        for key in [key for key, entry in self.pending.items() if key[0] == person]:
            kind, conversation, _, _, frame = self.pending.pop(key)
            if kind == "post":
                self.resend.setdefault(person, []).append((conversation, frame))

    def on_text(self, client: Client, payload: bytes) -> None:
        person = client.number
        self.frames[payload[9 : payload.find(b'"', 9)] if payload.startswith(b'{"type":"') else b"reply"] += 1
        if payload.startswith(b'{"ok":'):
            self._reply(person, payload)
            return
        start = payload.find(MARK)
        if start < 0:
            if payload.startswith(b'{"type":"hello"'):
                self._hello(client)
            return
        if not payload.startswith(b'{"type":"message"') or b'"message_changed"' in payload:
            return  # notifications, edits: they quote the text but are not the message's delivery
        middle = payload.index(b"~", start + 3)
        end = payload.index(b"~", middle + 1)
        index = int(payload[start + 3 : middle])
        key = index << 16 | person
        if key in self.delivered:
            self.duplicates += 1
            self.duplicates_after_resume += self.reconnected[person]
            return
        self.delivered.add(key)
        in_range = index < len(self.sent_conv)
        if self.live[person]:
            elapsed_ms = (time.time_ns() - int(payload[middle + 1 : end])) / 1e6
            self.latencies.append(elapsed_ms)
            self._note(int(payload[middle + 1 : end]) / 1e9 - self.started_wall, elapsed_ms)
            if in_range:
                self.latencies_by_size[self.size_class[self.sent_conv[index]]].append(elapsed_ms)
        else:
            self.replayed += 1
        seq = SEQ.findall(payload)
        if seq and in_range:
            seen = self.seen[person]
            conversation = self.sent_conv[index]
            seen[conversation] = max(seen.get(conversation, 0), int(seq[-1]))

    def _hello(self, client: Client) -> None:
        if self.viewing[client.number] >= 0:  # as socket.js does at every hello, before anything else
            shown = self.company.conversations[self.viewing[client.number]].public_id
            self._send(client.number, client, {"type": "view", "channel": shown}, "view", -1, False)
        if self.followed is not None:
            follow = {"type": "presence_sub", "ids": self.followed[client.number]}
            self._send(client.number, client, follow, "presence_sub", -1, False)
        waiter = self.ready.pop(client.number, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
            return
        person = client.number  # a reconnect: resume from what this socket had seen, as the client does
        channels = {
            self.company.conversations[c].public_id: max(
                self.company.conversations[c].last_seq, self.seen[person].get(c, 0)
            )
            for c in self.mine[person]
        }
        self._send(person, client, {"type": "resume", "channels": channels}, "resume", -1, False)

    def _dm_partners(self, person: int) -> list[str]:
        conversations = (self.company.conversations[c] for c in self.mine[person])
        partners = (p for c in conversations if c.kind == "dm" for p in c.members if p != person)
        return [self.company.people_ids[p] for p in dict.fromkeys(partners)]

    def _reply(self, person: int, payload: bytes) -> None:
        frame = json.loads(payload)
        pending = self.pending.pop((person, frame.get("reply_to")), None)
        view_waiter = self.view_waiters.pop((person, frame.get("reply_to")), None)
        if view_waiter is not None and not view_waiter.done():
            view_waiter.set_result(None)
        if pending is None:
            return
        kind, conversation, sent_at, is_reply, _ = pending
        if frame.get("ok") is False:
            self.errors[f"ws {kind} {frame.get('error', {}).get('code')}"] += 1
        elif kind == "resume":
            self.live[person] = 1
            client = self.clients[person]
            for conversation, frame in self.resend.pop(person, []):
                if client is not None:
                    self._send(person, client, frame, "post", conversation, "thread_ts" in frame)
        elif kind in ("mark", "view"):
            self.socket_ms.setdefault(kind, array("d")).append(self._timed(sent_at))
        elif kind == "post":
            self.ack_ms.append(self._timed(sent_at))
            if not is_reply:
                self.recent[conversation].append(frame["ts"])

    def _timed(self, since: float) -> float:
        elapsed_ms = (time.monotonic() - since) * 1000
        self._note(since - self.started_mono, elapsed_ms)
        return elapsed_ms

    def _note(self, second: float, elapsed_ms: float) -> None:
        key = int(second)
        if elapsed_ms > self.worst_by_second.get(key, 0.0):
            self.worst_by_second[key] = elapsed_ms

    def _send(self, person: int, client: Client, frame: dict, kind: str, conversation: int, is_reply: bool) -> None:
        self.next_id += 1
        frame["id"] = self.next_id
        self.pending[(person, self.next_id)] = (kind, conversation, time.monotonic(), is_reply, frame)
        client.send_text(json.dumps(frame))

    async def _reopen(self, person: int) -> None:
        await asyncio.sleep(self.rng.uniform(*RECONNECT_DELAY_S))
        for _ in range(3):
            if self.stopping:
                return
            try:
                client = await open_client(self.port, "/ws/?resume=1", self.headers(person), self.on_text, person)
            except (OSError, ConnectionError):
                self.errors["ws reconnect failed"] += 1
                await asyncio.sleep(1.0)
                continue
            self.clients[person] = client
            self._watch(client)
            return

    def close_all(self) -> None:
        self.stopping = True
        for client in self.clients:
            if client is not None:
                client.close()

    async def warm_up(self, requests: int) -> None:
        """A few requests of each kind before measuring, so the server's first-request costs (imports, URL
        resolution, connection pools) are not counted; their timings are dropped."""
        now = time.monotonic()
        people = [self.rng.randrange(self.count) for _ in range(requests)]
        jobs = (self._switch, self._thread, self._search)
        await asyncio.gather(*(job(p, now, self.rng) for p in people for job in jobs))
        self.http_ms.clear()
        self.socket_ms.clear()

    # --- the day ------------------------------------------------------------------------------

    async def run(self, seconds: float, workers: int) -> float:
        """Act for `seconds`, then wait for what is in flight; returns the wall time of the whole window."""
        started = self.started_mono = time.monotonic()
        self.started_wall = time.time()
        self.worst_by_second.clear()
        self.cutoff = started + seconds + self.rates.typing_lead_s + TAIL_S
        pool = [asyncio.ensure_future(self._http_worker()) for _ in range(workers)]
        heartbeat = asyncio.ensure_future(self._heartbeats())
        loop = asyncio.get_running_loop()
        for action in actions(self.rates, self.count, seconds, random.Random(self.seed)):
            delay = started + action.at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self.counts[action.kind] += 1
            self._act(action, started + action.at, loop)
        await asyncio.sleep(max(0.0, started + seconds - time.monotonic()) + self.rates.typing_lead_s)
        heartbeat.cancel()
        for _ in pool:
            self.http_queue.put_nowait(None)
        await asyncio.gather(*pool)
        deadline = time.monotonic() + 10
        while any(p[0] in ("post", "mark") for p in self.pending.values()) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        unanswered = sum(1 for p in self.pending.values() if p[0] == "post") + sum(map(len, self.resend.values()))
        if unanswered:
            self.errors["ws post unanswered"] += unanswered
        marks = sum(1 for p in self.pending.values() if p[0] == "mark")
        if marks:
            self.errors["ws mark unanswered"] += marks
        return time.monotonic() - started

    async def drain(self, quiet: float, limit: float) -> None:
        """Until no delivery has arrived for `quiet` seconds (at most `limit`): what is late is not lost."""
        deadline = time.monotonic() + limit
        count = -1
        while count != len(self.delivered) and time.monotonic() < deadline:
            count = len(self.delivered)
            await asyncio.sleep(quiet)

    def _act(self, action: Action, due: float, loop: asyncio.AbstractEventLoop) -> None:
        person, rng = action.person, action.rng()
        if action.kind == "post":
            conversation = rng.choices(self.mine[person], self.weights[person])[0]
            client = self.clients[person]
            if client is not None and self.live[person]:
                typing = {"type": "typing", "channel": self.company.conversations[conversation].public_id}
                client.send_text(json.dumps(typing))
            loop.call_later(self.rates.typing_lead_s, self._post, person, conversation, rng)
        elif action.kind == "reconnect":
            self._reconnect(person)
        else:
            job = {"reaction": self._reaction, "switch": self._switch, "thread": self._thread, "search": self._search}
            self.http_queue.put_nowait(lambda: job[action.kind](person, due, rng))

    async def _http_worker(self) -> None:
        while (job := await self.http_queue.get()) is not None:
            if time.monotonic() > self.cutoff:
                self.errors["http backlog dropped"] += 1  # the server fell this far behind
                continue
            await job()

    async def _heartbeats(self) -> None:
        """Each socket pings every `heartbeat_s`, spread over the interval: one slice a second."""
        slices = max(1, round(self.rates.heartbeat_s))
        tick = 0
        while True:
            await asyncio.sleep(1.0)
            for person in range(tick % slices, self.count, slices):
                client = self.clients[person]
                if client is not None and self.live[person]:
                    self.next_id += 1
                    client.send_text(json.dumps({"type": "ping", "id": self.next_id, "time": time.time_ns() // 10**6}))
            tick += 1

    def _reconnect(self, person: int) -> None:
        client = self.clients[person]
        if client is None or not self.live[person]:
            return
        self.live[person] = 0
        self.reconnected[person] = 1
        self.clients[person] = None  # before the close, so _closed sees it was ours
        self._hold_posts(person)
        client.close()
        self._spawn(self._reopen(person))

    # --- what a person does ---------------------------------------------------------------------

    def _post(self, person: int, conversation: int, rng: random.Random) -> None:
        """A message, as the composer sends it: on the socket when it is open, else over HTTP."""
        if self.stopping:
            return
        channel = self.company.conversations[conversation]
        index = len(self.sent_conv)
        self.sent_conv.append(conversation)
        words = " ".join(rng.sample(WORDS, 5))
        mention = ""
        if rng.random() < self.rates.mention_share:
            other = rng.choice(channel.members)
            mention = f"<@{self.company.people_ids[other]}> "
        reply, attach = rng.random() < self.rates.reply_share, rng.random() < self.rates.file_share
        # Drawn last: whether the conversation has messages yet depends on the server's pace.
        thread_ts = rng.choice(self.recent[conversation]) if reply and self.recent[conversation] else None
        text = f"wl~{index}~{time.time_ns()}~ {mention}{words}"
        body = {"text": text, "client_msg_id": str(uuid.uuid4())} | ({"thread_ts": thread_ts} if thread_ts else {})
        due = time.monotonic()
        if attach:
            self.counts["file"] += 1
            content, content_type = multipart(body, f"notes-{index}.txt", b"x" * 2048)
            self.http_queue.put_nowait(
                lambda: self._call(
                    "files",
                    "POST",
                    f"/api/v1/channels/{channel.public_id}/files",
                    person,
                    due,
                    raw=content,
                    content_type=content_type,
                )
            )
            return
        client = self.clients[person]
        if client is None or not self.live[person]:
            self.http_queue.put_nowait(
                lambda: self._call("post", "POST", f"/api/v1/channels/{channel.public_id}/messages", person, due, body)
            )
            return
        frame = {"type": "message", "channel": channel.public_id} | body
        self._send(person, client, frame, "post", conversation, thread_ts is not None)

    def _pick(self, person: int, rng: random.Random, *, named: bool = False) -> int | None:
        """One of the person's conversations with something in it (named channels only, for threads)."""
        choices = [
            c for c in self.mine[person] if self.recent[c] and (not named or self.company.conversations[c].kind != "dm")
        ]
        return rng.choice(choices) if choices else None

    async def _reaction(self, person: int, due: float, rng: random.Random) -> None:
        conversation = self._pick(person, rng)
        if conversation is None:
            self.counts["reaction skipped"] += 1
            return
        ts = rng.choice(self.recent[conversation])
        name = rng.choice([e for e in EMOJI if (person, ts, e) not in self.reacted] or [""])
        if not name:
            return
        self.reacted.add((person, ts, name))
        channel = self.company.conversations[conversation].public_id
        await self._call(
            "reactions", "POST", f"/api/v1/channels/{channel}/messages/{ts}/reactions", person, due, {"name": name}
        )

    async def _switch(self, person: int, due: float, rng: random.Random) -> None:
        """A channel switch: its newest page of history, then the read marker moved to its end, as the
        browser client moves it (static/js/client/main.js, flushMarks): a `mark` frame on the socket when
        it is open, else over HTTP."""
        conversation = rng.choice(self.mine[person])
        channel = self.company.conversations[conversation].public_id
        await self._show(person, conversation)
        page = await self._call(
            "history", "GET", f"/api/v1/channels/{channel}/messages?limit={HISTORY_PAGE}", person, due
        )
        newest = max((m.get("seq", 0) for m in (page or {}).get("messages", [])), default=0)
        if not newest:
            return
        client = self.clients[person]
        if client is not None and self.live[person] and not self.stopping and not self.marks_over_http:
            self._send(person, client, {"type": "mark", "channel": channel, "seq": newest}, "mark", conversation, False)
            return
        await self._call(
            "mark_read", "POST", f"/api/v1/channels/{channel}/read", person, time.monotonic(), {"seq": newest}
        )

    async def _show(self, person: int, conversation: int) -> None:
        """The `view` frame, answered before the history is read, as channel-view.js awaits it; nothing to
        wait for while the socket is down (its next hello says it)."""
        if not self.send_views:
            return
        self.viewing[person] = conversation
        client = self.clients[person]
        if client is None or not self.live[person] or self.stopping:
            return
        frame = {"type": "view", "channel": self.company.conversations[conversation].public_id}
        self._send(person, client, frame, "view", conversation, False)
        key = (person, self.next_id)
        waiter = self.view_waiters[key] = asyncio.get_running_loop().create_future()
        try:
            await asyncio.wait_for(waiter, VIEW_TIMEOUT_S)
        except TimeoutError:
            self.view_waiters.pop(key, None)

    async def _thread(self, person: int, due: float, rng: random.Random) -> None:
        conversation = self._pick(person, rng, named=True)
        if conversation is None:
            self.counts["thread skipped"] += 1
            return
        channel = self.company.conversations[conversation].public_id
        ts = rng.choice(self.recent[conversation])
        await self._call("thread", "GET", f"/api/v1/channels/{channel}/messages/{ts}/replies?limit=200", person, due)

    async def _search(self, person: int, due: float, rng: random.Random) -> None:
        word = rng.choice(SEARCH_WORDS)
        path = f"/api/v1/workspaces/{self.company.workspace_id}/search?q={word}&limit=50"
        await self._call("search", "GET", path, person, due)

    async def _call(
        self,
        family: str,
        method: str,
        path: str,
        person: int,
        due: float,
        body: dict | None = None,
        *,
        raw: bytes = b"",
        content_type: str = "",
    ) -> dict | None:
        """One request, timed from when the person wanted it (so a queue in front of the server counts)."""
        if body is not None:
            raw, content_type = json.dumps(body).encode(), "application/json"
        try:
            response = await self.http.request(
                method, path, headers=self.headers(person), body=raw, content_type=content_type
            )
        except (OSError, ConnectionError, asyncio.IncompleteReadError) as exc:
            self.errors[f"http {family} {type(exc).__name__}"] += 1
            return None
        self.http_ms.setdefault(family, array("d")).append(self._timed(due))
        if response.status >= 400:
            code = _error_code(response.body)
            self.errors[f"http {family} {response.status} {code}"] += 1
            return None
        return response.json() if family in ("history",) else None


def _error_code(body: bytes) -> str:
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return "-"
    return error.get("code", "-") if isinstance(error, dict) else str(error)
