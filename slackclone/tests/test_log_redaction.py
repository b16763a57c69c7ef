"""No log line carries a secret: tokens in query strings and the tokens of invitation, reset, unsubscribe,
upload and webhook URLs are redacted, in what real processes print (Uvicorn as the Procfile runs it, Daphne as
`make run` runs it, a Celery worker as the Procfile runs it) as well as in the filter itself."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from slackclone.celery import app as celery_app
from slackclone.log_redaction import REDACTED, RedactSecrets, redact
from slackclone.testing.processes import (
    BASE_DIR,
    free_port,
    procfile_command,
    start_procfile_process,
    stop,
    wait_for_port,
)

SECRETS = {
    "token": "xoxb-1234-SECRETBOTTOKEN",
    "user_token": "xoxp-ABCD-SECRETUSERTOKEN",
    "app_token": "xapp-1-SECRETAPPTOKEN",
    "query": "NOTATOKENSHAPE123",
    "ticket": "SECRETTICKET456",
    "invite": "SECRETINVITE789",
    "reset": "SECRETRESETTOKEN-abc123",
    "unsubscribe": "SECRETUNSUBSCRIBE",
    "upload": "SECRETUPLOAD",
    "hook": "SECRETWEBHOOK",
    "respond": "SECRETRESPONSEURL",
}
# Every place a secret travels in a URL, each answered by the server (and so logged) one way or another.
URLS = [
    f"/api/auth.test?token={SECRETS['token']}",
    f"/api/auth.test?pretty=1&token={SECRETS['user_token']}",
    f"/api/auth.test?token={SECRETS['query']}",
    f"/api/api.test?x={SECRETS['app_token']}",
    f"/ws/?ticket={SECRETS['ticket']}",
    f"/invite/{SECRETS['invite']}/",
    f"/api/v1/invitations/{SECRETS['invite']}",
    f"/accounts/password/reset/MQ/{SECRETS['reset']}/",
    f"/notifications/unsubscribe/{SECRETS['unsubscribe']}/",
    f"/api/upload/{SECRETS['upload']}",
    f"/hooks/TAAAAAAAAAA/BAAAAAAAAAA/{SECRETS['hook']}",
    f"/api/commands/respond/{SECRETS['respond']}",
]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('"GET /api/auth.test?token=xoxb-1-2-abc HTTP/1.1" 200', f'"GET /api/auth.test?token={REDACTED} HTTP/1.1" 200'),
        ("Bearer xoxp-AB12-cdef34 failed", f"Bearer xoxp-{REDACTED} failed"),
        ("/api/x?a=1&TOKEN=abc&b=2", f"/api/x?a=1&TOKEN={REDACTED}&b=2"),
        ("WebSocket /ws/?ticket=t1 [accepted]", f"WebSocket /ws/?ticket={REDACTED} [accepted]"),
        ("GET /accounts/login/?next=/ws/%3Fticket%3Dt1", f"GET /accounts/login/?next=/ws/%3Fticket%3D{REDACTED}"),
        (
            "/accounts/login/?next=/api/x%3Fa%3D1%26token%3Dt2",
            f"/accounts/login/?next=/api/x%3Fa%3D1%26token%3D{REDACTED}",
        ),
        ("Not Found: /invite/abc-DEF_1/", f"Not Found: /invite/{REDACTED}/"),
        ("/acme/admin/invitations/abc/revoke/", f"/acme/admin/invitations/{REDACTED}/revoke/"),
        ("/accounts/password/reset/MQ/set-password/", f"/accounts/password/reset/{REDACTED}/{REDACTED}/"),
        ("POST /hooks/T1/B2/s3cr3t HTTP/1.1", f"POST /hooks/T1/B2/{REDACTED} HTTP/1.1"),
        ("/notifications/unsubscribe/eyJ1Ijoi:1r:x/", f"/notifications/unsubscribe/{REDACTED}/"),
        ("POST /api/upload/abc", f"POST /api/upload/{REDACTED}"),
        ("POST /api/commands/respond/abc-DEF_1", f"POST /api/commands/respond/{REDACTED}"),
        ("GET /accounts/verify/eyJ1IjoiVUFCQyJ9:1v:sig/?next=/", f"GET /accounts/verify/{REDACTED}/?next=/"),
    ],
)
def test_redact_replaces_every_kind_of_secret(line, expected):
    assert redact(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "GET /api/v1/workspaces/T1/invitations HTTP/1.1",
        "/acme/admin/invitations/",
        "/accounts/password/reset/sent/",
        "/static/js/client/uploads.js",
        "/api/v1/tokens?limit=5",
    ],
)
def test_redact_leaves_lines_without_secrets_alone(line):
    assert redact(line) == line


def test_the_filter_redacts_arguments_one_by_one_and_tracebacks():
    try:
        raise ValueError(f"bad token {SECRETS['token']}")
    except ValueError:
        record = logging.LogRecord(
            "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
            ("127.0.0.1:5", "GET", f"/x?token={SECRETS['query']}", "1.1", 200), sys.exc_info(),
        )  # fmt: skip
    assert RedactSecrets().filter(record) is True
    assert record.args[2] == f"/x?token={REDACTED}"
    assert record.args[4] == 200
    assert SECRETS["token"] not in logging.Formatter().format(record)


# --- Real processes --------------------------------------------------------------------------------------------


def _env(**variables: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "slackclone.settings_test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": settings.SECRET_KEY,
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
        **variables,
    }


def _visit_every_url(port: int) -> None:
    for url in URLS:
        method = "POST" if url.startswith(("/hooks/", "/api/upload/", "/api/commands/")) else "GET"
        request = urllib.request.Request(f"http://127.0.0.1:{port}{url}", data=b"{}" if method == "POST" else None)
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(request, timeout=10).close()


def _assert_no_secret(output: str, *expected_lines: str) -> None:
    for name, secret in SECRETS.items():
        assert secret not in output, f"the {name} secret was logged"
    for line in expected_lines:
        assert line in output, f"no {line!r} in the log"


@pytest.mark.integration
@pytest.mark.django_db
def test_uvicorn_as_the_procfile_runs_it_logs_no_secret(tmp_path):
    """The access log (HTTP and WebSocket) and Django's request log, in Uvicorn's output."""
    port, log = free_port(), tmp_path / "web1.log"
    with log.open("wb") as output:
        process = start_procfile_process("web1", port=port, env=_env(), stdout=output, stderr=subprocess.STDOUT)
        try:
            _visit_every_url(port)
        finally:
            stop(process)
    text = log.read_text()
    _assert_no_secret(
        text,
        f'"GET /api/auth.test?token={REDACTED} HTTP/1.1" 200',  # uvicorn.access
        f"GET /ws/?ticket={REDACTED}",
        f"/invite/{REDACTED}/",
        f"WARNING django.request Not Found: /api/v1/invitations/{REDACTED}",  # Django's request log
        f"/hooks/TAAAAAAAAAA/BAAAAAAAAAA/{REDACTED}",
    )


@pytest.mark.integration
@pytest.mark.django_db
def test_daphne_as_make_run_runs_it_logs_no_secret(tmp_path):
    port, log = free_port(), tmp_path / "daphne.log"
    command = [sys.executable, "-m", "slackclone.daphne_server", "-b", "127.0.0.1", "-p", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "slackclone.asgi:application"], cwd=BASE_DIR, env=_env(), stdout=output, stderr=output
        )
        try:
            wait_for_port(port, process)
            _visit_every_url(port)
        finally:
            stop(process)
    _assert_no_secret(log.read_text(), f'"GET /api/auth.test?token={REDACTED}" 200', f"/invite/{REDACTED}/")


def test_make_run_starts_daphne_through_the_redacting_command_line():
    assert "-m slackclone.daphne_server" in (Path(BASE_DIR) / "Makefile").read_text()
    assert procfile_command("web1").startswith("uvicorn ")


@pytest.mark.integration
@pytest.mark.django_db
def test_a_celery_worker_as_the_procfile_runs_it_logs_no_secret(tmp_path):
    """A worker prints the whole body of a message it cannot run: the token in it is redacted."""
    log = tmp_path / "worker.log"
    command = "exec " + procfile_command("worker_email").replace(
        "--hostname=email@%h", f"--hostname=redact{os.getpid()}@%h"
    )
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["sh", "-c", command], cwd=BASE_DIR, env=_env(PATH=path), stdout=output, stderr=subprocess.STDOUT
        )
        try:
            _wait_for(log, "ready.")
            celery_app.send_task("slackclone.no_such_task", args=[SECRETS["token"]], queue="email")
            _wait_for(log, "unregistered task")
        finally:
            stop(process)
    _assert_no_secret(log.read_text(), f"xoxb-{REDACTED}")


def _wait_for(log: Path, needle: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while needle not in log.read_text():
        assert time.monotonic() < deadline, f"no {needle!r} in {log.read_text()[-2000:]}"
        time.sleep(0.1)
