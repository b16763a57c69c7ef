"""SCIM Groups: the workspace's user groups, created, replaced, patched and deleted."""

from __future__ import annotations

import pytest

from scim.tests.conftest import GROUP_SCHEMA, patch_body
from workspaces.models import UserGroup, UserGroupMember

pytestmark = pytest.mark.django_db


def group_body(name: str, *people, **fields):
    return {
        "schemas": [GROUP_SCHEMA],
        "displayName": name,
        "members": [{"value": p.public_id} for p in people],
        **fields,
    }


def _member_ids(group: UserGroup) -> set[str]:
    return set(UserGroupMember.objects.filter(group=group).values_list("user__public_id", flat=True))


def test_create_makes_a_user_group_with_a_handle(team, scim):
    response = scim.post("Groups", group_body("Design Team", team.member, team.admin, externalId="g-1"))
    assert response.status == 201, response.body
    group = UserGroup.objects.get(public_id=response.body["id"])
    assert (group.name, group.handle, group.workspace) == ("Design Team", "design-team", team.workspace)
    assert _member_ids(group) == {team.member.public_id, team.admin.public_id}
    assert response.body["externalId"] == "g-1"
    assert {m["value"] for m in response.body["members"]} == _member_ids(group)


def test_a_taken_name_is_409_uniqueness(team, scim):
    scim.post("Groups", group_body("Design"))
    again = scim.post("Groups", group_body("design"))
    assert again.status == 409
    assert again.body["scimType"] == "uniqueness"


def test_replace_and_filter(team, scim):
    created = scim.post("Groups", group_body("Design", team.member)).body
    replaced = scim.put(f"Groups/{created['id']}", group_body("Product Design", team.other_member))
    assert replaced.status == 200
    assert replaced.body["displayName"] == "Product Design"
    assert _member_ids(UserGroup.objects.get(public_id=created["id"])) == {team.other_member.public_id}
    found = scim.get('Groups?filter=displayName eq "product design"')
    assert [g["id"] for g in found.body["Resources"]] == [created["id"]]


def test_patch_adds_and_removes_members(team, scim):
    created = scim.post("Groups", group_body("Design", team.member)).body
    group = UserGroup.objects.get(public_id=created["id"])
    added = scim.patch(
        f"Groups/{created['id']}",
        patch_body({"op": "add", "path": "members", "value": [{"value": team.admin.public_id}]}),
    )
    assert added.status == 200, added.body
    assert _member_ids(group) == {team.member.public_id, team.admin.public_id}
    removed = scim.patch(
        f"Groups/{created['id']}", patch_body({"op": "remove", "path": f'members[value eq "{team.member.public_id}"]'})
    )
    assert removed.status == 200
    assert _member_ids(group) == {team.admin.public_id}
    entra = scim.patch(  # Entra ID removes members by value list
        f"Groups/{created['id']}",
        patch_body({"op": "Remove", "path": "members", "value": [{"value": team.admin.public_id}]}),
    )
    assert entra.status == 200
    assert _member_ids(group) == set()


def test_delete_disables_the_group_and_hides_it(team, scim):
    created = scim.post("Groups", group_body("Design", team.member)).body
    assert scim.delete(f"Groups/{created['id']}").status == 204
    group = UserGroup.objects.get(public_id=created["id"])
    assert not group.is_enabled
    assert scim.get(f"Groups/{created['id']}").status == 404
    back = scim.post("Groups", group_body("Design", team.admin))
    assert back.status == 201
    assert back.body["id"] == created["id"]
    group.refresh_from_db()
    assert group.is_enabled
    assert _member_ids(group) == {team.admin.public_id}


def test_a_person_scim_deactivated_may_stay_in_a_pushed_group(team, scim):
    from scim.tests.conftest import user_body

    scim.post("Users", user_body(team.member.email))
    scim.patch(f"Users/{team.member.public_id}", patch_body({"op": "replace", "value": {"active": False}}))
    response = scim.post("Groups", group_body("Design", team.member))
    assert response.status == 201, response.body
