"""usergroups.* through slack_sdk: Slack's shapes, argument names and error names; another workspace's token."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError

from slack_apps.manifest import parse_manifest
from slack_apps.services import app_create
from slackclone.testing.factories import UserFactory, add_member, workspace_with_owner
from workspaces.models import UserGroup
from workspaces.services import usergroup_create

pytestmark = pytest.mark.django_db(transaction=True)

USERGROUP_KEYS = {
    "id",
    "team_id",
    "is_usergroup",
    "is_subteam",
    "name",
    "description",
    "handle",
    "is_external",
    "date_create",
    "date_update",
    "date_delete",
    "auto_type",
    "created_by",
    "updated_by",
    "deleted_by",
    "prefs",
    "user_count",
}


def error_of(call) -> str:
    with pytest.raises(SlackApiError) as info:
        call()
    return info.value.response["error"]


def test_an_admin_creates_lists_updates_and_fills_a_group(web, team):
    admin = web(team.admin)

    created = admin.usergroups_create(
        name="Design Team", handle="design-team", description="Pixels", channels=[team.general.public_id]
    )["usergroup"]
    assert set(created) == USERGROUP_KEYS
    assert created["id"].startswith("S")
    assert (created["handle"], created["team_id"], created["created_by"]) == (
        "design-team",
        team.workspace.public_id,
        team.admin.public_id,
    )
    assert created["prefs"] == {"channels": [team.general.public_id], "groups": []}
    assert created["date_delete"] == 0

    filled = admin.usergroups_users_update(usergroup=created["id"], users=[team.member.public_id, team.owner.public_id])
    assert sorted(filled["usergroup"]["users"]) == sorted([team.member.public_id, team.owner.public_id])
    assert filled["usergroup"]["user_count"] == 2

    updated = admin.usergroups_update(usergroup=created["id"], name="Designers")["usergroup"]
    assert (updated["name"], updated["handle"], updated["description"]) == ("Designers", "design-team", "Pixels")

    listed = web(team.member).usergroups_list(include_users=True)["usergroups"]
    assert [(g["id"], g["user_count"]) for g in listed] == [(created["id"], 2)]
    assert sorted(listed[0]["users"]) == sorted([team.member.public_id, team.owner.public_id])
    users = web(team.member).usergroups_users_list(usergroup=created["id"])["users"]
    assert sorted(users) == sorted([team.member.public_id, team.owner.public_id])


def test_disable_and_enable(web, team):
    admin = web(team.admin)
    group_id = admin.usergroups_create(name="Design", handle="design")["usergroup"]["id"]

    disabled = admin.usergroups_disable(usergroup=group_id)["usergroup"]
    assert disabled["date_delete"] > 0
    assert disabled["deleted_by"] == team.admin.public_id
    assert admin.usergroups_list()["usergroups"] == []
    assert [g["id"] for g in admin.usergroups_list(include_disabled=True)["usergroups"]] == [group_id]
    assert error_of(lambda: admin.usergroups_users_list(usergroup=group_id)) == "no_such_subteam"

    assert admin.usergroups_enable(usergroup=group_id)["usergroup"]["date_delete"] == 0


def test_slacks_error_names_and_nothing_stored(web, team):
    admin = web(team.admin)
    add_member(team.workspace, UserFactory(email="dana@example.test"))
    admin.usergroups_create(name="Design", handle="design")

    assert error_of(lambda: web(team.member).usergroups_create(name="Mine", handle="mine")) == "permission_denied"
    assert error_of(lambda: admin.usergroups_create(name="Design", handle="other")) == "name_already_exists"
    assert error_of(lambda: admin.usergroups_create(name="Other", handle="design")) == "handle_already_exists"
    assert error_of(lambda: admin.usergroups_create(name="Dana", handle="dana")) == "handle_already_exists"
    assert error_of(lambda: admin.usergroups_create(name="Bad", handle="Not Valid")) == "invalid_handle"
    assert error_of(lambda: admin.usergroups_update(usergroup="SNOSUCH0000", name="x")) == "no_such_subteam"
    assert UserGroup.objects.filter(workspace=team.workspace).count() == 1


def test_unknown_people_and_another_workspaces_people_are_invalid_users(web, team):
    admin = web(team.admin)
    group_id = admin.usergroups_create(name="Design", handle="design")["usergroup"]["id"]
    stranger = add_member(workspace_with_owner())

    assert error_of(lambda: admin.usergroups_users_update(usergroup=group_id, users=["UNOBODY0000"])) == "invalid_users"
    assert error_of(lambda: admin.usergroups_users_update(usergroup=group_id, users=[stranger.public_id])) == (
        "invalid_users"
    )
    assert admin.usergroups_users_list(usergroup=group_id)["users"] == []


def test_a_token_sees_only_its_own_workspaces_groups(web, team):
    owner = UserFactory()
    elsewhere = workspace_with_owner(owner)
    theirs = usergroup_create(actor=owner, workspace=elsewhere, name="Theirs", handle="theirs")

    member = web(team.member)
    assert member.usergroups_list()["usergroups"] == []
    assert error_of(lambda: member.usergroups_users_list(usergroup=theirs.public_id)) == "no_such_subteam"
    assert error_of(lambda: web(team.admin).usergroups_disable(usergroup=theirs.public_id)) == "no_such_subteam"


def test_a_guest_sees_only_the_members_they_may_see(web, team):
    group = usergroup_create(
        actor=team.admin,
        workspace=team.workspace,
        name="Design",
        handle="design",
        users=[team.owner.public_id, team.guest.public_id],
    )

    listed = web(team.guest).usergroups_list(include_users=True)["usergroups"]
    assert listed[0]["id"] == group.public_id
    assert listed[0]["users"] == [team.guest.public_id]  # the guest shares no channel with the owner
    assert error_of(lambda: web(team.guest).usergroups_disable(usergroup=group.public_id)) == "permission_denied"


def test_an_app_needs_the_usergroups_scopes(web, team):
    manifest = '{"display_information": {"name": "Reader"}, "oauth_config": {"scopes": {"bot": ["usergroups:read"]}}}'
    _, credentials = app_create(actor=team.admin, workspace=team.workspace, spec=parse_manifest(manifest))
    app = web(token=credentials.bot_token)

    assert app.usergroups_list()["usergroups"] == []
    assert error_of(lambda: app.usergroups_create(name="Bots", handle="bots")) == "missing_scope"
