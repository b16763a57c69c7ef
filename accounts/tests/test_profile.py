"""user_update_profile and user_set_status: people change only their own profile, within limits."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.services import user_set_status, user_update_profile
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused
from slackclone.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory()


def test_people_set_their_time_zone_and_names(user):
    user_update_profile(actor=user, user=user, timezone="America/New_York", display_name="  ann ")
    stored = User.objects.get(pk=user.pk)
    assert (stored.timezone, stored.display_name) == ("America/New_York", "ann")


@pytest.mark.parametrize("tz", ["Mars/Olympus_Mons", "utc+2", "", None])
def test_an_unknown_time_zone_is_invalid_timezone(user, tz):
    with refused(ErrorCode.INVALID_TIMEZONE):
        user_update_profile(actor=user, user=user, timezone=tz)


def test_nobody_changes_someone_elses_profile(user):
    other = UserFactory()
    with refused(ErrorCode.RESTRICTED_ACTION):
        user_update_profile(actor=other, user=user, title="Intern")


@pytest.mark.parametrize("changes", [{"display_name": "d" * 81}, {"is_staff": "1"}])
def test_too_long_or_unknown_fields_are_invalid_arguments(user, changes):
    with refused(ErrorCode.INVALID_ARGUMENTS):
        user_update_profile(actor=user, user=user, **changes)


def test_a_status_with_an_expiry_disappears_when_it_expires(user):
    until = timezone.now() + timedelta(hours=2)
    user_set_status(actor=user, emoji="palm_tree", text="Away", expires_at=until)
    stored = User.objects.get(pk=user.pk)
    assert stored.current_status() == (":palm_tree:", "Away")
    assert stored.status_expires_at == until
    stored.status_expires_at = timezone.now() - timedelta(seconds=1)
    assert stored.current_status() == ("", "")


def test_clearing_the_status_clears_its_expiry(user):
    user_set_status(actor=user, emoji="coffee", text="Break", expires_at=timezone.now() + timedelta(hours=1))
    user_set_status(actor=user)
    stored = User.objects.get(pk=user.pk)
    assert (stored.status_emoji, stored.status_text, stored.status_expires_at) == ("", "", None)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"text": "t" * 101}, ErrorCode.INVALID_ARGUMENTS),
        ({"text": "late", "expires_at": "past"}, ErrorCode.INVALID_ARGUMENTS),
        ({"emoji": "not an emoji"}, ErrorCode.INVALID_EMOJI),
    ],
)
def test_bad_status_is_refused(user, kwargs, code):
    if kwargs.get("expires_at") == "past":
        kwargs["expires_at"] = timezone.now() - timedelta(minutes=1)
    with refused(code):
        user_set_status(actor=user, **kwargs)
