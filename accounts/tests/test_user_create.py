"""user_create: the write path for new accounts (sign-up, operator, bots)."""

import pytest

from accounts.models import User
from accounts.services import user_create
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused
from slackclone.testing.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_new_account_logs_in_with_its_password():
    user = user_create(email=" New@Example.com ", password=DEFAULT_PASSWORD, full_name=" New Person ")
    stored = User.objects.get(pk=user.pk)
    assert (stored.email, stored.full_name, stored.is_bot) == ("new@example.com", "New Person", False)
    assert stored.check_password(DEFAULT_PASSWORD)


def test_an_account_without_a_password_cannot_log_in_until_one_is_set():
    user = user_create(email="bot@example.com", is_bot=True)
    assert user.is_bot
    assert not user.has_usable_password()


def test_an_email_in_use_in_any_case_is_email_taken():
    UserFactory(email="a@x.io")
    with refused(ErrorCode.EMAIL_TAKEN):
        user_create(email="A@X.IO", password=DEFAULT_PASSWORD)


@pytest.mark.parametrize("email", ["", "not-an-email", "two@@x.io", None])
def test_not_an_email_is_invalid_email(email):
    with refused(ErrorCode.INVALID_EMAIL):
        user_create(email=email, password=DEFAULT_PASSWORD)


@pytest.mark.parametrize("password", ["123", "password", "12345678901"])
def test_a_weak_password_is_invalid_password(password):
    with refused(ErrorCode.INVALID_PASSWORD):
        user_create(email="weak@x.io", password=password)


def test_an_imported_placeholder_is_never_claimed_by_creating_an_account_with_its_address(team):
    from workspaces.services import invitation_create

    placeholder = user_create(email="Imported@Example.test", full_name="From Slack", is_active=False)
    invitation_create(actor=team.owner, workspace=team.workspace, email="imported@example.test")

    with refused("email_taken"):
        user_create(email="imported@example.test", password="a-long-enough-password", display_name="imp")

    placeholder.refresh_from_db()
    assert not placeholder.is_active
    assert not placeholder.has_usable_password()


def test_an_inactive_account_without_an_invitation_is_not_claimed(team):
    user_create(email="deactivated@example.test", is_active=False)

    with refused("email_taken"):
        user_create(email="deactivated@example.test", password="a-long-enough-password")
