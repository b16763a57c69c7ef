"""Browser tests: headless Chromium (Debian's, at /usr/bin/chromium) driven by Playwright against a live
server on the real stack: one Daphne process for the session, on pytest-django's test database and
the test Redis, serving the collected static files through WhiteNoise as production does.

Tests commit for real (transaction=True), since the server is another process. Screenshots of the
main views go to var/artifacts/screenshots/ (SLACKCLONE_ARTIFACTS_DIR to change it).
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from slack_bolt.adapter.socket_mode import SocketModeHandler

from slack_apps.manifest import ShortcutSpec, spec_from_options
from slack_apps.services import app_create
from slack_apps.tests.bolt_apps import interactive_app
from slack_apps.tests.support import wait_until
from slackclone.testing.factories import DEFAULT_PASSWORD
from slackclone.testing.processes import free_port, stop, wait_for_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
BASE_DIR = Path(settings.BASE_DIR)
ARTIFACTS = Path(os.environ.get("SLACKCLONE_ARTIFACTS_DIR", BASE_DIR / "var" / "artifacts" / "screenshots"))
# How long a test waits for the browser to show what the server pushed (a message, an edit, a reaction).
# Far below any reload or reconnect, so only the push can satisfy it; the push's latency itself is measured
# by bench/fanout, not here, where a busy machine's scheduling would make a tighter bound fail by chance.
PUSH_TIMEOUT_MS = 3000

pytestmark = [pytest.mark.browser, pytest.mark.integration]


class LiveServer:
    """One Daphne process of the real ASGI application on the test database and the test Redis."""

    def __init__(self, var_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "slackclone.settings_test",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "SECRET_KEY": settings.SECRET_KEY,
            "SLACKCLONE_VAR_DIR": str(var_dir),
            # Every test signs two people in through the login form, from one address.
            "API_AUTH_RATE": "1000/m",
            # #general (four people) is a large channel here: its reactions go live only to the pages that
            # show it, so the client's reading of the others' on opening it is exercised everywhere.
            "LIVE_REACTIONS_MAX_CHANNEL_MEMBERS": "2",
            "PRESENCE_BATCH_SECONDS": "1",
            "LOG_LEVEL": "WARNING",
        }
        manage = [sys.executable, str(BASE_DIR / "manage.py")]
        subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True)
        daphne = Path(sys.executable).with_name("daphne")
        self.process = subprocess.Popen(
            [str(daphne), "-b", "127.0.0.1", "-p", str(self.port), "slackclone.asgi:application"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process)


@pytest.fixture(scope="package")
def live_server_process(django_db_setup, django_db_blocker, tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("browser-var"))
    try:
        yield server
    finally:
        stop(server.process)


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """Headless Chromium through Playwright's sync API, for a fixture to yield. Playwright keeps an event
    loop running on this thread while it runs, which Django takes for async code; the tests' own ORM calls
    are plain synchronous ones, so that check is lifted meanwhile. A fixture holding it must end with the
    tests that use it (a package's conftest or a module), so no asyncio test runs beside that loop."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def chromium():
    """The browser of the browser tests (launched_chromium)."""
    with launched_chromium() as browser:
        yield browser


@pytest.fixture
def server(live_server_process, transactional_db):
    return live_server_process


class Person:
    """A signed-in browser context of one user, with the page the client runs in."""

    def __init__(
        self, browser, server: LiveServer, user, *, width: int = 1280, locale: str = "en-US", bypass_csp: bool = False
    ) -> None:
        self.user = user
        self.server = server
        self.context = browser.new_context(
            viewport={"width": width, "height": 860}, base_url=server.url, locale=locale, bypass_csp=bypass_csp
        )
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))

    def sign_in(self) -> Person:
        page = self.page
        page.goto("/accounts/login/")
        page.fill("input[name=username]", self.user.email)
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, f"{self.user.email} could not sign in"
        return self

    # The page's Content-Security-Policy forbids eval, so wait_for_function is always given a function
    # ("() => …"), never an expression string, which Playwright would have to eval in the page.

    def open(self, path: str) -> Person:
        """Load a client page and wait until its socket has resumed."""
        self.page.goto(path)
        self.page.wait_for_selector("body.client-ready")
        self.page.wait_for_function("() => window.slackclone.socket.state === 'online'")
        return self

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def people(chromium, server):
    """people(user, ...) → signed-in Persons; their contexts close after the test, which fails on page errors.
    bypass_csp lets a test inject a script of its own (the accessibility audit's axe-core)."""
    opened: list[Person] = []

    def sign_in(*users, width: int = 1280, locale: str = "en-US", bypass_csp: bool = False) -> list[Person]:
        options = {"width": width, "locale": locale, "bypass_csp": bypass_csp}
        persons = [Person(chromium, server, user, **options).sign_in() for user in users]
        opened.extend(persons)
        return persons

    yield sign_in
    errors = [f"{p.user.email}: {error}" for p in opened for error in p.errors if "WebSocket" not in error]
    for person in opened:
        person.close()
    wait_until_the_server_is_idle()
    assert not errors, errors


def wait_until_the_server_is_idle(timeout: float = 10.0, quiet_for: float = 0.5) -> None:
    """Let the server finish what the closed pages left it doing (a socket's goodbye, a last read marker)
    before pytest-django empties the tables, which would otherwise deadlock with it. A closed page's last
    frames reach the server a moment after the close, so one idle look is not enough: the database must
    stay idle for `quiet_for` seconds."""
    deadline = time.monotonic() + timeout
    quiet_since = None
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state IN ('active', 'idle in transaction')"
            )
            if cursor.fetchone()[0]:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_for:
                return
            time.sleep(0.02)


def elsewhere(function, *args, **kwargs):
    """Call a service as another surface would, on a thread of its own: this thread runs Playwright's event
    loop, where the channel layer's after-commit send cannot run."""
    result = {}

    def run() -> None:
        try:
            result["value"] = function(*args, **kwargs)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    return result["value"]


@pytest.fixture
def deployer(team, server):
    """An unmodified Bolt app (slack_apps/tests/bolt_apps/interactive_app.py) in Socket Mode against the live
    server, with a global and a message shortcut that both open its "Make a task" modal: (app, bolt)."""
    spec = spec_from_options(name="Deployer", socket_mode=True, events=["app_home_opened", "message.channels"])
    shortcuts = (
        ShortcutSpec("Make a task", "global", "make_task"),
        ShortcutSpec("Task from this", "message", "make_task"),
    )
    spec = dataclasses.replace(spec, shortcuts=shortcuts)
    app, credentials = elsewhere(app_create, actor=team.admin, workspace=team.workspace, spec=spec)
    bolt = interactive_app.build(credentials.bot_token, f"{server.url}/api/", team.general.public_id)
    handler = SocketModeHandler(bolt, credentials.app_token)
    handler.connect()
    assert wait_until(lambda: handler.client.is_connected())
    try:
        yield app, bolt
    finally:
        handler.close()
