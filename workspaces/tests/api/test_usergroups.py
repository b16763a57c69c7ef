"""User groups over the REST API: list, create, change, disable, set people; another workspace, a guest."""

from __future__ import annotations

import pytest

from slackclone.testing.api import error_code
from slackclone.testing.factories import UserFactory, add_member, workspace_with_owner
from workspaces.models import UserGroup
from workspaces.services import usergroup_create

pytestmark = pytest.mark.django_db


def url(team, *rest: str) -> str:
    return "/".join([f"/api/v1/workspaces/{team.workspace.public_id}/usergroups", *rest])


def create(client, team, **changes):
    body = {"name": "Design Team", "handle": "design-team", "description": "Pixels", **changes}
    return client.post(url(team), body, format="json")


def test_an_admin_creates_a_group_and_members_list_it(team, client_for):
    response = create(client_for(team.admin), team, users=[team.member.public_id], channels=[team.general.public_id])

    assert response.status_code == 201
    group = response.json()["usergroup"]
    assert (group["handle"], group["name"], group["users"], group["user_count"]) == (
        "design-team",
        "Design Team",
        [team.member.public_id],
        1,
    )
    assert group["prefs"]["channels"] == [team.general.public_id]
    listed = client_for(team.member).get(url(team)).json()["usergroups"]
    assert [g["id"] for g in listed] == [group["id"]]


def test_with_a_token_of_the_workspace(team, client_for):
    assert create(client_for(team.admin, team.workspace), team).status_code == 201


def test_bad_input_gets_a_stable_code_and_stores_nothing(team, client_for):
    admin = client_for(team.admin)
    add_member(team.workspace, UserFactory(email="dana@example.test"))
    create(admin, team)
    stranger = add_member(workspace_with_owner())

    cases = [
        ({"handle": "dana", "name": "Dana"}, 409, "handle_already_exists"),
        ({"name": "Other"}, 409, "handle_already_exists"),
        ({"handle": "other"}, 409, "name_already_exists"),
        ({"handle": "Not Valid", "name": "x"}, 400, "invalid_handle"),
        ({"handle": "ok", "name": "ok", "users": ["UNOBODY0000"]}, 400, "invalid_users"),
        ({"handle": "ok", "name": "ok", "users": [stranger.public_id]}, 400, "invalid_users"),
    ]
    for changes, status, code in cases:
        response = create(admin, team, **changes)
        assert (response.status_code, error_code(response)) == (status, code), changes
    assert UserGroup.objects.filter(workspace=team.workspace).count() == 1


def test_a_member_may_not_create_a_group(team, client_for):
    response = create(client_for(team.member), team)
    assert (response.status_code, error_code(response)) == (403, "restricted_action")


def test_patch_changes_fields_and_disables_then_enables(team, client_for):
    admin = client_for(team.admin)
    group_id = create(admin, team).json()["usergroup"]["id"]

    changed = admin.patch(url(team, group_id), {"name": "Designers", "enabled": False}, format="json").json()
    assert changed["usergroup"]["name"] == "Designers"
    assert changed["usergroup"]["date_delete"] > 0
    assert admin.get(url(team)).json()["usergroups"] == []
    assert len(admin.get(url(team) + "?include_disabled=true").json()["usergroups"]) == 1

    enabled = admin.patch(url(team, group_id), {"enabled": True}, format="json").json()
    assert enabled["usergroup"]["date_delete"] == 0


def test_put_users_replaces_the_members(team, client_for):
    admin = client_for(team.admin)
    group_id = create(admin, team, users=[team.member.public_id]).json()["usergroup"]["id"]

    response = admin.put(url(team, group_id, "users"), {"users": [team.owner.public_id]}, format="json")

    assert response.json()["usergroup"]["users"] == [team.owner.public_id]


def test_another_workspaces_group_and_token_see_nothing(team, client_for):
    owner = UserFactory()
    elsewhere = workspace_with_owner(owner)
    theirs = usergroup_create(actor=owner, workspace=elsewhere, name="Theirs", handle="theirs")

    response = client_for(team.admin).get(url(team, theirs.public_id))
    assert (response.status_code, error_code(response)) == (404, "no_such_subteam")
    token_client = client_for(team.admin, team.workspace)
    other = token_client.get(f"/api/v1/workspaces/{elsewhere.public_id}/usergroups")
    assert (other.status_code, error_code(other)) == (404, "workspace_not_found")
    outsider = client_for(owner).get(url(team))
    assert (outsider.status_code, error_code(outsider)) == (404, "workspace_not_found")


def test_a_guest_lists_groups_with_only_the_members_they_may_see(team, client_for):
    usergroup_create(
        actor=team.admin,
        workspace=team.workspace,
        name="Design",
        handle="design",
        users=[team.owner.public_id, team.guest.public_id],
    )

    listed = client_for(team.guest).get(url(team)).json()["usergroups"]

    assert listed[0]["users"] == [team.guest.public_id]
    assert listed[0]["user_count"] == 2
