"""User groups in the Django admin: added through usergroup_create, disabled and enabled through actions."""

from __future__ import annotations

import pytest

from chat.tests.admin.support import admin_url, form_data, run_action, shown_messages
from slackclone.testing.assertions import nothing_written
from slackclone.testing.factories import UserFactory, add_member
from workspaces.models import UserGroup
from workspaces.services import usergroup_create

pytestmark = pytest.mark.django_db


def add(admin_client, team, **fields):
    data = {"workspace": team.workspace.pk, "name": "Design", "handle": "design", "description": "", **fields}
    return admin_client.post(admin_url("workspaces.UserGroup", "add"), data, follow=True)


def test_adding_a_group_goes_through_the_service(team, admin_client):
    add(admin_client, team)

    group = UserGroup.objects.get(workspace=team.workspace)
    assert (group.handle, group.name, group.created_by) == ("design", "Design", None)


def test_an_invalid_handle_is_a_form_error(team, admin_client):
    with nothing_written():
        response = add(admin_client, team, handle="Not Valid")

    assert "lowercase" in str(response.context["adminform"].form.errors["handle"])


def test_a_handle_that_is_a_persons_name_is_refused_and_nothing_is_written(team, admin_client):
    add_member(team.workspace, UserFactory(email="dana@example.test"))

    with nothing_written():
        response = add(admin_client, team, handle="dana")

    assert any("(handle_already_exists)" in line for line in shown_messages(response))


def test_disable_and_enable_actions(team, admin_client):
    group = usergroup_create(actor=None, workspace=team.workspace, name="Design", handle="design")

    run_action(admin_client, "workspaces.UserGroup", "disable", [group])
    assert not UserGroup.objects.get(pk=group.pk).is_enabled
    run_action(admin_client, "workspaces.UserGroup", "enable", [group])
    assert UserGroup.objects.get(pk=group.pk).is_enabled


def test_members_may_manage_groups_is_a_workspace_setting_in_the_admin(team, admin_client):
    url = admin_url("workspaces.Workspace", "change", team.workspace.pk)
    data = {key: value for key, value in form_data(admin_client.get(url)).items() if key != "icon"}
    admin_client.post(url, data | {"usergroups_by_members": "on"})

    team.workspace.refresh_from_db()
    assert team.workspace.usergroups_by_members
