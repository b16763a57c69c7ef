"""A real HTTP server on 127.0.0.1 for tests of requests the server makes: it keeps what it is sent
and answers what the test says (one answer for all, or one per request in turn)."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0  # seconds the app takes before it answers (a slow app, for timeouts)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: RecordingServer

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        received = Received(self.command, self.path, dict(self.headers), self.rfile.read(length))
        answer = self.server.next_answer(received)
        if answer.delay:
            time.sleep(answer.delay)
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    do_GET = do_POST = _handle

    def log_message(self, *args: object) -> None:
        pass


class RecordingServer(http.server.ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[Received] = []
        self.answers: list[Answer] = []  # one per request, in turn; the last one repeats
        # Answers some requests by what they carry (a url_verification challenge, say); None: use `answers`.
        self.respond: Callable[[Received], Answer | None] | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def next_answer(self, received: Received) -> Answer:
        with self._lock:
            self.received.append(received)
            answer = self.respond(received) if self.respond is not None else None
            if answer is not None:
                return answer
            if not self.answers:
                return Answer()
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@contextmanager
def recording_server() -> Iterator[RecordingServer]:
    server = RecordingServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
