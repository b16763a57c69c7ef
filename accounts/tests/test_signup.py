"""Sign-up and proving an address: an address counts only once its owner followed a link mailed to it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from accounts.services import user_create
from accounts.signup import email_verification_send, email_verify, user_sign_up
from accounts.verification import make_verification_token
from slackclone.testing.assertions import refused
from slackclone.testing.factories import UserFactory
from workspaces.models import Membership
from workspaces.services import invitation_accept, invitation_create, member_add, workspace_create

PASSWORD = "a long enough passphrase"
VERIFY_LINK_RE = re.compile(r"/accounts/verify/([^/\s]+)/")


def mailed_verification_token(to: str) -> str:
    (message,) = [m for m in mail.outbox if m.to == [to]]
    match = VERIFY_LINK_RE.search(message.body)
    assert match, message.body
    return match.group(1)


def test_sign_up_makes_an_account_that_trusts_nothing_until_the_mailed_link_proves_the_address(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user_sign_up(email="New@Example.test", password=PASSWORD, display_name="Newbie")

    user = User.objects.get(email="new@example.test")
    assert (user.is_active, user.email_verified, user.display_name) == (True, False, "Newbie")
    assert user.check_password(PASSWORD)
    token = mailed_verification_token("new@example.test")

    assert email_verify(token=token).pk == user.pk
    user.refresh_from_db()
    assert user.email_verified


def test_a_verification_link_works_once(db):
    user = UserFactory(email_verified_at=None)
    token = make_verification_token(user)
    email_verify(token=token)
    with refused("invalid_verification_link"):
        email_verify(token=token)


def test_a_verification_link_expires(db, settings):
    user = UserFactory(email_verified_at=None)
    token = make_verification_token(user)
    settings.EMAIL_VERIFICATION_MAX_AGE_SECONDS = -1
    with refused("verification_link_expired"):
        email_verify(token=token)
    user.refresh_from_db()
    assert not user.email_verified


@pytest.mark.parametrize("change", ["email", "password"])
def test_a_verification_link_stops_working_when_the_address_or_password_changes(db, change):
    user = UserFactory(email_verified_at=None)
    token = make_verification_token(user)
    if change == "email":
        user.email = "elsewhere@example.test"
    else:
        user.set_password("another long passphrase")
    user.save()
    with refused("invalid_verification_link"):
        email_verify(token=token)


@pytest.mark.parametrize("token", ["", "garbage", "x" * 600, None, 5])
def test_a_made_up_verification_token_is_refused(db, token):
    with refused("invalid_verification_link"):
        email_verify(token=token)


def test_sign_up_with_a_taken_address_changes_nothing_and_tells_its_owner(team, django_capture_on_commit_callbacks):
    before = User.objects.get(pk=team.member.pk).password
    with django_capture_on_commit_callbacks(execute=True):
        user_sign_up(email=team.member.email.upper(), password=PASSWORD, display_name="Impostor")

    member = User.objects.get(pk=team.member.pk)
    assert (member.password, member.display_name) == (before, team.member.display_name)
    assert User.objects.filter(email__iexact=team.member.email).count() == 1
    (message,) = mail.outbox
    assert message.to == [team.member.email]
    assert "already has an account" in message.body
    assert "/accounts/password/reset/" in message.body


def test_sign_up_still_checks_the_password_rules_for_a_taken_address(team):
    with refused("invalid_password"):
        user_sign_up(email=team.member.email, password="123")


@override_settings(ACCOUNT_EMAILS_PER_ADDRESS_RATE="2/h")
def test_mail_to_one_address_is_rate_limited_whoever_asks(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            user_sign_up(email=team.member.email, password=PASSWORD)
    assert len(mail.outbox) == 2


def test_an_unverified_person_can_ask_for_a_new_link_but_not_too_often(
    db, settings, django_capture_on_commit_callbacks
):
    settings.ACCOUNT_EMAILS_PER_ADDRESS_RATE = "1/h"
    user = UserFactory(email_verified_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        email_verification_send(actor=user)
    assert VERIFY_LINK_RE.search(mail.outbox[0].body)
    with refused("ratelimited"):
        email_verification_send(actor=user)


def test_a_verified_person_has_nothing_to_resend(db):
    person = UserFactory()
    with refused("restricted_action"):
        email_verification_send(actor=person)


def test_an_unverified_account_cannot_create_join_or_be_added_to_a_workspace(team):
    squatter = UserFactory(email_verified_at=None)
    with refused("email_unverified"):
        workspace_create(creator=squatter, name="Mine", slug="mine")
    link = invitation_create(actor=team.owner, workspace=team.workspace)
    with refused("email_unverified"):
        invitation_accept(user=squatter, token=link.token)
    with refused("email_unverified"):
        member_add(actor=team.owner, workspace=team.workspace, user=squatter)
    assert not Membership.objects.filter(user=squatter).exists()


def test_accepting_an_invitation_mailed_to_the_address_proves_it(team):
    person = UserFactory(email_verified_at=None)
    invitation = invitation_create(actor=team.owner, workspace=team.workspace, email=person.email)
    invitation_accept(user=person, token=invitation.token)
    person.refresh_from_db()
    assert person.email_verified
    assert Membership.objects.filter(user=person, workspace=team.workspace, is_active=True).exists()


def test_the_operator_and_bots_need_no_proof(db):
    assert user_create(email="op-made@example.test", password=PASSWORD, email_verified=True).email_verified
    assert not user_create(email="bot@example.test", is_bot=True, email_verified=True).email_verified_at


def test_accounts_made_before_verification_existed_count_as_verified(db):
    """The migration's rule, on a row written as 0004 left it."""
    from importlib import import_module

    migration = import_module("accounts.migrations.0005_user_email_verified_at")
    person = UserFactory(email_verified_at=None, last_login=timezone.now() - timedelta(days=3))
    placeholder = UserFactory(email_verified_at=None, is_active=False, password="!")
    bot = UserFactory(email_verified_at=None, is_bot=True, password="!")

    from django.apps import apps

    migration.verify_existing_people(apps, None)
    assert User.objects.get(pk=person.pk).email_verified_at == person.last_login
    assert not User.objects.get(pk=placeholder.pk).email_verified
    assert not User.objects.get(pk=bot.pk).email_verified
