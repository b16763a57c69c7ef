"""An unmodified Bolt for Python app over HTTP (its own process, app.start(port=…)) against a real server
process: its request URL is verified, it answers a message and a mention, and its slash command answers
in the channel through response_url."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from slack_sdk import WebClient

from chat.models import Message
from chat.services import message_post
from integrations.tokens import api_token_create
from notifications.tests.integration.workers import Worker, purge_broker
from realtime.tests.test_e2e import Server
from slack_apps.manifest import spec_from_options
from slack_apps.models import App, EventDelivery
from slack_apps.services import app_create, app_set_urls
from slack_apps.tests.support import wait_until
from slackclone.celery import app as celery_app
from slackclone.testing.processes import free_port, stop, wait_for_port

BOLT_APP = Path(__file__).parent / "bolt_apps" / "http_app.py"


@pytest.fixture
def apps_worker(tmp_path):
    """Deliveries go through the real broker to a worker on the apps queue, as on the real stack: a Bolt app
    answering an event calls the Web API while its delivery is still open, which an in-process send would block."""
    purge_broker()
    celery_app.conf.task_always_eager = False
    worker = Worker(
        "apps", "apps", tmp_path, SECRET_KEY=settings.SECRET_KEY, OUTGOING_ALLOWED_NETWORKS="127.0.0.0/8,::1/128"
    ).wait_ready()
    try:
        yield worker
    finally:
        worker.stop()
        celery_app.conf.task_always_eager = True
        purge_broker()


@pytest.fixture
def server(django_db_setup, transactional_db, apps_worker):
    process = Server(
        connection.settings_dict["NAME"],
        os.environ.get("REDIS_URL", settings.REDIS_URL),
        own_site_url=True,
        CELERY_TASK_ALWAYS_EAGER="0",
    )
    try:
        yield process
    finally:
        stop(process.process)


@pytest.fixture
def bolt_app(team, server, tmp_path):
    """The Bolt app's process, its app made in the workspace and its request URL verified."""
    app, credentials = app_create(
        actor=team.admin,
        workspace=team.workspace,
        spec=spec_from_options(name="Deployer", commands=["/deploy"]),
    )
    port = free_port()
    env = {
        **os.environ,
        "SLACK_API_URL": f"http://127.0.0.1:{server.port}/api/",
        "BOT_TOKEN": credentials.bot_token,
        "SIGNING_SECRET": credentials.signing_secret,
        "PORT": str(port),
    }
    log = (tmp_path / "bolt.log").open("w")
    process = subprocess.Popen([sys.executable, str(BOLT_APP)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process)
        app_set_urls(actor=team.admin, app=app, request_url=f"http://127.0.0.1:{port}/slack/events")
        yield App.objects.get(pk=app.pk)
    finally:
        stop(process)
        log.close()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_bolt_http_app_answers_a_message_a_mention_and_a_command(team, server, bolt_app):
    bot = bolt_app.bot_user
    message_post(sender=team.member, channel=team.general, text="ping")
    assert wait_until(lambda: Message.objects.filter(author=bot, text=f"pong to <@{team.member.public_id}>").exists())

    asked = message_post(sender=team.member, channel=team.general, text=f"<@{bot.public_id}> hello")
    assert wait_until(lambda: Message.objects.filter(author=bot, text="at your service").exists())
    assert Message.objects.get(author=bot, text="at your service").thread_root_id == asked.pk

    person = WebClient(
        token=api_token_create(actor=None, user=team.owner, workspace=team.workspace)[1],
        base_url=f"http://127.0.0.1:{server.port}/api/",
    )
    answer = person.api_call(
        "chat.command", params={"channel": team.random.public_id, "command": "/deploy", "text": "api v2"}
    )
    assert answer["ok"] is True
    # Its answer, then the answer replaced (replace_original), in #random although the app's bot is not
    # in it, as Slack lets a command's answer.
    assert wait_until(lambda: Message.objects.filter(author=bot, text="deployed api v2").exists())
    answered = Message.objects.get(author=bot, channel=team.random)
    assert (answered.text, answered.edited_at is not None) == ("deployed api v2", True)
    # Every event was sent (Bolt answers 404 to those it has no listener for, which are then retried).
    assert wait_until(lambda: not EventDelivery.objects.filter(app=bolt_app, attempts=0).exists())
