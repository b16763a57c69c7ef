"""Smoke test of the embedded default, the way `make run` uses it on a fresh machine.

No DATABASE_URL or REDIS_URL: a new SQLite database under a temporary SLACKCLONE_VAR_DIR is
migrated and seeded, Daphne serves it from a child process, and a person signs in through the
real login form over HTTP, sees the demo workspace and resumes over the real-time socket.
"""

from __future__ import annotations

import html
import json
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from slackclone.testing.processes import free_port
from slackclone.tests.subprocess_env import BASE_DIR, clean_env, run_manage

pytestmark = pytest.mark.integration

DAPHNE_START_TIMEOUT = 30
CSRF_INPUT_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def port_accepts_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    log: Path


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("embedded") / "var"


@pytest.fixture(scope="module")
def embedded_env(var_dir: Path) -> dict[str, str]:
    return clean_env(var_dir)


@pytest.fixture(scope="module")
def seeded_database(embedded_env: dict[str, str]) -> None:
    migrate = run_manage("migrate", "--noinput", env=embedded_env)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    seed = run_manage("seed_demo", "--messages", "200", env=embedded_env, timeout=300)
    assert seed.returncode == 0, seed.stdout + seed.stderr


@pytest.fixture(scope="module")
def server(seeded_database, embedded_env: dict[str, str], var_dir: Path) -> Iterator[Server]:
    """Daphne on a free port, stopped by its own pid afterwards; the test fails if it lingers."""
    port = free_port()
    log = var_dir.parent / "daphne.log"
    daphne = [sys.executable, "-m", "slackclone.daphne_server"]  # as `make run` starts it
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [*daphne, "-b", "127.0.0.1", "-p", str(port), "slackclone.asgi:application"],
            cwd=BASE_DIR,
            env=embedded_env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + DAPHNE_START_TIMEOUT
        while not port_accepts_connections(port):
            assert process.poll() is None, f"Daphne exited early:\n{log.read_text()}"
            assert time.monotonic() < deadline, (
                f"Daphne did not listen within {DAPHNE_START_TIMEOUT}s:\n{log.read_text()}"
            )
            time.sleep(0.1)
        yield Server(f"http://127.0.0.1:{port}", process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    assert process.returncode is not None
    assert not port_accepts_connections(port), "Something still listens on Daphne's port after it stopped"


class Browser:
    """Just enough of a browser: cookies, redirects, and the CSRF token of the last form seen."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> tuple[int, str, str]:
        return self._open(urllib.request.Request(self.base_url + path))

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(self.base_url + path, data=body, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        return self._open(request)

    def _open(self, request: urllib.request.Request) -> tuple[int, str, str]:
        """(status, final path after redirects, body)."""
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, urllib.parse.urlsplit(response.url).path, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, urllib.parse.urlsplit(error.url).path, error.read().decode()


def csrf_token(page: str) -> str:
    match = CSRF_INPUT_RE.search(page)
    assert match, "The page has no CSRF token in its form"
    return match.group(1)


def demo_workspace_name(var_dir: Path) -> str:
    with sqlite3.connect(var_dir / "slackclone.sqlite3") as db:
        row = db.execute("SELECT name FROM workspaces_workspace WHERE slug = 'demo'").fetchone()
    assert row, "seed_demo created no workspace with the slug 'demo'"
    return row[0]


def demo_login() -> tuple[str, str]:
    """The login that seed_demo creates and `make run` prints."""
    from chat.seeding.demo import DEMO_PASSWORD, OWNER

    return OWNER.email, DEMO_PASSWORD


def test_fresh_embedded_default_serves_login_and_the_demo_workspace_over_http(server: Server, var_dir: Path):
    browser = Browser(server.base_url)
    email, password = demo_login()

    status, _, login_page = browser.get("/accounts/login/")
    assert status == 200
    assert "Sign in to Slackclone" in login_page
    assert 'name="username"' in login_page
    assert 'name="password"' in login_page

    status, _, stylesheet = browser.get("/static/css/base.css")
    assert status == 200
    assert stylesheet.strip()

    fields = {"username": email, "password": "not-the-password", "csrfmiddlewaretoken": csrf_token(login_page)}
    status, path, refused = browser.post_form("/accounts/login/", fields)
    assert (status, path) == (200, "/accounts/login/")
    assert 'role="alert"' in refused

    fields = {"username": email, "password": password, "csrfmiddlewaretoken": csrf_token(refused)}
    # `/` takes a signed-in person to their workspace's client (the only one they are in).
    status, path, client_page = browser.post_form("/accounts/login/", fields)
    assert (status, path) == (200, "/demo/")
    assert html.escape(demo_workspace_name(var_dir)) in client_page


def test_pages_need_a_signed_in_user(server: Server):
    status, path, _ = Browser(server.base_url).get("/")

    assert (status, path) == (200, "/accounts/login/")


def demo_channel_id(var_dir: Path, name: str = "general") -> str:
    with sqlite3.connect(var_dir / "slackclone.sqlite3") as db:
        row = db.execute(
            "SELECT c.public_id FROM chat_channel c JOIN workspaces_workspace w ON w.id = c.workspace_id "
            "WHERE w.slug = 'demo' AND c.name = ?",
            (name,),
        ).fetchone()
    assert row, f"seed_demo created no #{name}"
    return row[0]


def resume_over_socket(url: str, headers: dict[str, str], channel_id: str) -> dict:
    """Open the gateway, wait for hello, resume one channel from the start; the resumed reply."""
    from websockets.sync.client import connect

    with connect(url, additional_headers=headers, open_timeout=10) as socket_:
        assert json.loads(socket_.recv(timeout=10))["type"] == "hello"
        socket_.send(json.dumps({"id": 1, "type": "resume", "channels": {channel_id: 0}}))
        while True:
            frame = json.loads(socket_.recv(timeout=10))
            if frame.get("reply_to") == 1:
                return frame


def test_the_embedded_default_serves_the_real_time_socket_to_a_browser_and_a_bot(
    server: Server, var_dir: Path, embedded_env: dict[str, str]
):
    browser = Browser(server.base_url)
    email, password = demo_login()
    _, _, login_page = browser.get("/accounts/login/")
    fields = {"username": email, "password": password, "csrfmiddlewaretoken": csrf_token(login_page)}
    browser.post_form("/accounts/login/", fields)
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    general = demo_channel_id(var_dir)
    ws_url = server.base_url.replace("http://", "ws://") + "/ws/?resume=1"

    resumed = resume_over_socket(ws_url, {"Cookie": cookie, "Origin": server.base_url}, general)
    assert resumed["ok"] is True
    assert resumed["channels"][general]["replayed"] > 0, "the demo's #general has history to replay"

    created = run_manage("create_api_token", email, "--workspace", "demo", env=embedded_env)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    resumed = resume_over_socket(ws_url, {"Authorization": f"Bearer {token}"}, general)
    assert resumed["ok"] is True
    assert resumed["channels"][general]["replayed"] > 0
