"""Ending access ends desktop notifications: signing out, ending the other sessions, a new password and
deactivation delete the person's push subscriptions, and nobody else's."""

from __future__ import annotations

import pytest

from accounts.services import user_sign_out_other_sessions
from notifications.models import PushSubscription
from notifications.tests.services.test_web_push import subscribe
from slackclone.testing.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def devices(person) -> int:
    return PushSubscription.objects.filter(user=person).count()


@pytest.fixture
def two_people_subscribed(team, push_service):
    subscribe(team.member, push_service, "/push/member-laptop")
    subscribe(team.member, push_service, "/push/member-phone")
    subscribe(team.admin, push_service, "/push/admin")
    return team


def test_signing_out_ends_the_persons_desktop_notifications(two_people_subscribed, client):
    team = two_people_subscribed
    client.force_login(team.member)
    client.post("/accounts/logout/")
    assert devices(team.member) == 0
    assert devices(team.admin) == 1


def test_ending_the_other_sessions_or_a_new_password_ends_them(two_people_subscribed):
    team = two_people_subscribed
    user_sign_out_other_sessions(actor=team.member)
    assert devices(team.member) == 0
    team.admin.set_password(DEFAULT_PASSWORD + "-new")
    team.admin.save()
    assert devices(team.admin) == 0


def test_deactivating_the_account_ends_them_and_other_saves_do_not(two_people_subscribed):
    team = two_people_subscribed
    team.member.display_name = "renamed"
    team.member.save(update_fields=["display_name"])
    assert devices(team.member) == 2
    team.member.is_active = False
    team.member.save(update_fields=["is_active"])
    assert devices(team.member) == 0
    assert devices(team.admin) == 1
