"""users.list, users.info, users.lookupByEmail and users.profile.get apply the workspace's people rule:
guests see only the people they share a channel or DM with, email addresses per email_display."""

from __future__ import annotations

import pytest

from chat.services import channel_invite
from slack_api.tests.conftest import token_for
from workspaces.models import EmailDisplay

pytestmark = pytest.mark.django_db


def call(client, raw: str, method: str, **args) -> dict:
    return client.post(f"/api/{method}", args, HTTP_AUTHORIZATION=f"Bearer {raw}").json()


@pytest.fixture
def guest_token(team):
    channel_invite(actor=team.owner, channel=team.random, users=[team.guest])
    return token_for(team.guest, team.workspace)


def test_users_list_shows_a_guest_only_the_people_they_share_a_channel_with(client, team, guest_token):
    members = call(client, guest_token, "users.list")["members"]
    assert {m["id"]: m["profile"].get("email", "") for m in members} == {
        team.guest.public_id: team.guest.email,
        team.owner.public_id: "",
    }


def test_users_info_answers_user_not_found_for_someone_a_guest_cannot_see(client, team, guest_token):
    hidden = call(client, guest_token, "users.info", user=team.member.public_id)
    missing = call(client, guest_token, "users.info", user="U0NOSUCHUSER")
    assert hidden == missing == {"ok": False, "error": "user_not_found"}
    assert call(client, guest_token, "users.profile.get", user=team.member.public_id) == missing
    seen = call(client, guest_token, "users.info", user=team.owner.public_id)["user"]
    assert seen["profile"].get("email", "") == ""


def test_lookup_by_email_does_not_confirm_an_address_outside_a_guests_view(client, team, guest_token, outsider):
    hidden = call(client, guest_token, "users.lookupByEmail", email=team.member.email)
    missing = call(client, guest_token, "users.lookupByEmail", email="nobody@example.test")
    elsewhere = call(client, guest_token, "users.lookupByEmail", email=outsider.email)
    assert hidden == missing == elsewhere == {"ok": False, "error": "users_not_found"}


def test_lookup_by_email_is_no_oracle_when_addresses_are_hidden(client, team):
    team.workspace.email_display = EmailDisplay.ADMINS
    team.workspace.save(update_fields=["email_display"])
    raw = token_for(team.member, team.workspace)
    assert call(client, raw, "users.lookupByEmail", email=team.owner.email) == {
        "ok": False,
        "error": "users_not_found",
    }
    assert call(client, raw, "users.lookupByEmail", email=team.member.email)["user"]["id"] == team.member.public_id
    owner = call(client, raw, "users.info", user=team.owner.public_id)["user"]
    assert owner["profile"].get("email", "") == ""


def test_members_see_everyone_with_emails_by_default(client, team):
    raw = token_for(team.member, team.workspace)
    members = call(client, raw, "users.list")["members"]
    assert {m["id"]: m["profile"]["email"] for m in members}[team.admin.public_id] == team.admin.email
    assert call(client, raw, "users.lookupByEmail", email=team.admin.email)["user"]["id"] == team.admin.public_id
