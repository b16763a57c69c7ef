"""Who sees whom over the REST API: guests see only the people they share a channel or DM with, and
email addresses show as the workspace's email_display setting says (always one's own)."""

from __future__ import annotations

import pytest

from chat.services import channel_invite, dm_open
from slackclone.testing.api import error_code
from workspaces.models import EmailDisplay


def members_url(team, user_id: str = "") -> str:
    base = f"/api/v1/workspaces/{team.workspace.public_id}/members"
    return f"{base}/{user_id}" if user_id else base


def listed(client, team) -> dict[str, str]:
    """Public id -> email shown, for every member the client is shown."""
    body = client.get(members_url(team)).json()
    return {m["user"]["id"]: m["user"]["profile"].get("email", "") for m in body["members"]}


@pytest.fixture
def guest_in_random(team):
    """The guest shares #random with the owner, and nothing with anyone else."""
    channel_invite(actor=team.owner, channel=team.random, users=[team.guest])
    return team.guest


def set_email_display(team, value: str) -> None:
    team.workspace.email_display = value
    team.workspace.save(update_fields=["email_display"])


def test_a_guest_lists_only_the_people_they_share_a_channel_with_and_no_one_elses_email(
    team, guest_in_random, client_for
):
    shown = listed(client_for(team.guest), team)
    assert shown == {team.guest.public_id: team.guest.email, team.owner.public_id: ""}


def test_a_guest_with_no_channel_sees_only_themselves(team, client_for):
    assert listed(client_for(team.guest), team) == {team.guest.public_id: team.guest.email}


def test_a_dm_makes_people_visible_to_a_guest(team, client_for):
    dm_open(actor=team.member, workspace=team.workspace, users=[team.guest])
    assert set(listed(client_for(team.guest), team)) == {team.guest.public_id, team.member.public_id}


def test_a_guest_cannot_look_up_someone_they_do_not_share_a_channel_with(team, guest_in_random, client_for):
    client = client_for(team.guest)
    hidden = client.get(members_url(team, team.member.public_id))
    missing = client.get(members_url(team, "U0NOSUCHUSER"))
    assert (
        (hidden.status_code, error_code(hidden))
        == (missing.status_code, error_code(missing))
        == (
            404,
            "user_not_found",
        )
    )
    assert hidden.json() == missing.json()
    seen = client.get(members_url(team, team.owner.public_id)).json()["member"]["user"]
    assert seen["profile"].get("email", "") == ""


def test_members_see_everyone_with_emails_by_default(team, client_for):
    assert team.workspace.email_display == EmailDisplay.MEMBERS
    shown = listed(client_for(team.member), team)
    assert shown[team.admin.public_id] == team.admin.email
    assert len(shown) == 5


@pytest.mark.parametrize(
    ("setting", "member_sees", "guest_sees"),
    [
        (EmailDisplay.EVERYONE, True, True),
        (EmailDisplay.MEMBERS, True, False),
        (EmailDisplay.ADMINS, False, False),
    ],
)
def test_the_email_display_setting_decides_who_sees_addresses(
    team, guest_in_random, client_for, setting, member_sees, guest_sees
):
    set_email_display(team, setting)
    as_admin = listed(client_for(team.admin), team)
    as_member = listed(client_for(team.member), team)
    as_guest = listed(client_for(team.guest), team)
    assert as_admin[team.owner.public_id] == team.owner.email  # admins always
    assert as_member[team.owner.public_id] == (team.owner.email if member_sees else "")
    assert as_guest[team.owner.public_id] == (team.owner.email if guest_sees else "")
    assert as_member[team.member.public_id] == team.member.email  # one's own, always
    assert as_guest[team.guest.public_id] == team.guest.email


def test_a_token_of_a_guest_gets_the_same_view(team, guest_in_random, client_for):
    shown = listed(client_for(team.guest, team.workspace), team)
    assert set(shown) == {team.guest.public_id, team.owner.public_id}


def test_channel_members_follow_the_email_rule(team, guest_in_random, client_for):
    body = client_for(team.guest).get(f"/api/v1/channels/{team.random.public_id}/members").json()
    emails = {m["id"]: m["profile"].get("email", "") for m in body["members"]}
    assert emails == {team.owner.public_id: "", team.guest.public_id: team.guest.email}


def test_an_outsider_sees_no_one(team, outsider, client_for):
    response = client_for(outsider).get(members_url(team))
    assert (response.status_code, error_code(response)) == (404, "workspace_not_found")
