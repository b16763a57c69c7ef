"""Fixtures of the apps' tests: the REST client, and a live server for unmodified Slack apps to talk to."""

import os

import pytest
from django.conf import settings
from django.db import connection

from realtime.tests.test_e2e import Server
from slackclone.testing.api import client_for  # noqa: F401  (fixture)
from slackclone.testing.processes import stop as stop_process


@pytest.fixture
def server(django_db_setup, transactional_db):
    """One Daphne process on the test database and this run's Redis (the channel layer the test publishes to)."""
    process = Server(
        connection.settings_dict["NAME"], os.environ.get("REDIS_URL", settings.REDIS_URL), own_site_url=True
    )
    try:
        yield process
    finally:
        stop_process(process.process)
