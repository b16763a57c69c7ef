"""accounts.User: email login without regard to case, public ids, status, time zone, bots, Argon2."""

import importlib
import re
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.wire import user_to_wire
from slackclone.ids import ALPHABET
from slackclone.testing.factories import DEFAULT_PASSWORD, BotFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- email login -----------------------------------------------------------------------------


def test_email_is_stored_in_lower_case():
    user = User.objects.create_user("Ann.Lee@Example.COM", password=DEFAULT_PASSWORD)
    assert user.email == "ann.lee@example.com"


def test_creating_an_email_that_differs_only_in_case_fails():
    User.objects.create_user("a@x.io", password=DEFAULT_PASSWORD)
    with pytest.raises(ValidationError) as info:
        User.objects.create_user("A@x.io", password=DEFAULT_PASSWORD)
    assert "email" in info.value.message_dict
    assert User.objects.count() == 1


def test_the_database_itself_refuses_an_email_that_differs_only_in_case():
    UserFactory(email="a@x.io")
    with pytest.raises(IntegrityError), transaction.atomic():
        User(email="A@X.io").save()  # past the manager, which would have lowercased it


def test_authenticate_ignores_the_case_of_the_email():
    user = UserFactory(email="a@x.io")
    assert authenticate(None, email="A@X.IO", password=DEFAULT_PASSWORD) == user
    assert authenticate(None, username="a@X.io", password=DEFAULT_PASSWORD) == user


def test_authenticate_refuses_a_wrong_password_or_an_unknown_email():
    UserFactory(email="a@x.io")
    assert authenticate(None, email="a@x.io", password="wrong password") is None
    assert authenticate(None, email="b@x.io", password=DEFAULT_PASSWORD) is None


def test_a_deactivated_account_cannot_log_in():
    UserFactory(email="a@x.io", is_active=False)
    assert authenticate(None, email="a@x.io", password=DEFAULT_PASSWORD) is None


# --- public ids --------------------------------------------------------------------------------


def test_every_user_gets_a_random_u_id_that_is_not_the_database_key():
    users = UserFactory.create_batch(20)
    ids = [user.public_id for user in users]
    assert all(re.fullmatch(rf"U[{ALPHABET}]{{10}}", public_id) for public_id in ids)
    assert len(set(ids)) == 20
    assert all(str(user.pk) not in user.public_id for user in users)


def test_public_ids_are_unique_in_the_database():
    first = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(public_id=first.public_id)


def test_the_wire_shows_the_public_id_and_never_the_database_key():
    user = UserFactory()
    wire = user_to_wire(user)
    assert wire["id"] == user.public_id
    values = [*wire.values(), *wire["profile"].values()]
    assert not [v for v in values if not isinstance(v, bool) and v in (user.pk, str(user.pk))]


# --- custom status ------------------------------------------------------------------------------


def test_custom_status_shows_until_it_expires():
    user = UserFactory(
        status_emoji=":palm_tree:", status_text="On holiday", status_expires_at=timezone.now() + timedelta(hours=1)
    )
    assert user.current_status() == (":palm_tree:", "On holiday")
    user.status_expires_at = timezone.now() - timedelta(seconds=1)
    assert user.current_status() == ("", "")
    wire = user_to_wire(user)["profile"]
    assert (wire["status_emoji"], wire["status_text"]) == ("", "")


def test_custom_status_without_expiry_stays():
    user = UserFactory(status_emoji=":coffee:", status_text="Coffee")
    assert user.current_status() == (":coffee:", "Coffee")


# --- time zone -----------------------------------------------------------------------------------


def test_time_zone_defaults_to_utc_and_accepts_iana_names():
    assert UserFactory().timezone == "UTC"
    user = UserFactory(timezone="Europe/Paris")
    user.full_clean()


@pytest.mark.parametrize("tz", ["Mars/Olympus_Mons", "europe/paris", "GMT+25", ""])
def test_an_unknown_time_zone_fails_validation(tz):
    user = UserFactory.build(timezone=tz)
    with pytest.raises(ValidationError) as info:
        user.full_clean()
    assert "timezone" in info.value.message_dict


def test_create_user_refuses_an_unknown_time_zone_and_stores_nothing():
    with pytest.raises(ValidationError):
        User.objects.create_user("tz@x.io", password=DEFAULT_PASSWORD, timezone="Nowhere/Town")
    assert not User.objects.filter(email="tz@x.io").exists()


# --- bots ---------------------------------------------------------------------------------------


def test_people_are_not_bots_and_bots_say_so_on_the_wire():
    assert not UserFactory().is_bot
    bot = BotFactory()
    assert bot.is_bot
    assert not bot.has_usable_password()
    assert user_to_wire(bot)["is_bot"] is True


# --- password hashing ---------------------------------------------------------------------------


def test_base_settings_hash_passwords_with_argon2_first():
    base = importlib.import_module("slackclone.settings")
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_hashes_and_checks_passwords_with_the_base_settings(settings):
    base = importlib.import_module("slackclone.settings")
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    user = User.objects.create_user("argon@x.io", password=DEFAULT_PASSWORD)
    stored = User.objects.get(pk=user.pk)
    assert stored.password.startswith("argon2$argon2id$")
    assert authenticate(None, email="ARGON@x.io", password=DEFAULT_PASSWORD) == stored
