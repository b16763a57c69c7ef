"""manage.py create_user EMAIL [--password P] [--name NAME] [--bot]"""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import User
from accounts.tests.commands.support import refused, run
from slackclone.errors import ErrorCode
from slackclone.testing.factories import UserFactory
from slackclone.tests.subprocess_env import clean_env, run_manage

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "violet-Harbour-27"


def test_creates_a_user_and_prints_the_public_id_last():
    lines = run("create_user", "Ada@Example.COM", "--password", STRONG_PASSWORD, "--name", "Ada Lovelace")

    user = User.objects.get(public_id=lines[-1])
    assert user.email == "ada@example.com"
    assert user.full_name == "Ada Lovelace"
    assert user.check_password(STRONG_PASSWORD)
    assert not user.is_bot
    assert not any(line.startswith("Password:") for line in lines)


def test_prints_a_generated_password_before_the_id_when_none_is_given():
    lines = run("create_user", "grace@example.com")

    user = User.objects.get(public_id=lines[-1])
    label, _, generated = lines[-2].partition(": ")
    assert label == "Password"
    assert len(generated) >= 12
    assert user.check_password(generated)


def test_bots_get_no_password():
    lines = run("create_user", "deploy-bot@example.com", "--bot", "--name", "Deploy bot")

    bot = User.objects.get(public_id=lines[-1])
    assert bot.is_bot
    assert not bot.has_usable_password()
    assert not any(line.startswith("Password:") for line in lines)


def test_refuses_an_email_already_taken_whatever_its_case():
    UserFactory(email="taken@example.com")
    message = refused("create_user", "TAKEN@example.com", code=ErrorCode.EMAIL_TAKEN)
    assert "taken@example.com" in message


def test_refuses_something_that_is_not_an_email():
    refused("create_user", "not-an-email", code=ErrorCode.INVALID_EMAIL)


def test_refuses_a_weak_password():
    refused("create_user", "weak@example.com", "--password", "12345678", code=ErrorCode.INVALID_PASSWORD)


def test_refuses_a_password_for_a_bot():
    refused("create_user", "bot@example.com", "--bot", "--password", STRONG_PASSWORD, code=ErrorCode.INVALID_ARGUMENTS)


def test_a_refusal_exits_non_zero_with_the_message_on_stderr(tmp_path, settings):
    """The real command line, on the test database: CommandError becomes exit status 1 and a line on stderr."""
    db = connection.settings_dict
    env = clean_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="slackclone.settings_test",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
    )

    result = run_manage("create_user", "not-an-email", env=env)

    assert result.returncode == 1
    assert "'not-an-email' is not an email address. [invalid_email]" in result.stderr
    assert result.stdout == ""
