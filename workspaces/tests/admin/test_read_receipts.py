"""Read receipts in the Django admin: a workspace setting, saved through workspace_set_read_receipts."""

from __future__ import annotations

import pytest

from chat.tests.admin.support import admin_url, form_data

pytestmark = pytest.mark.django_db


def test_read_receipts_are_a_workspace_setting_in_the_admin_that_every_client_hears_of(team, admin_client, sent_events):
    url = admin_url("workspaces.Workspace", "change", team.workspace.pk)
    data = {key: value for key, value in form_data(admin_client.get(url)).items() if key != "icon"}
    admin_client.post(url, data | {"read_receipts": "on"})

    team.workspace.refresh_from_db()
    assert team.workspace.read_receipts
    assert [(e["name"], e["value"]) for e in sent_events.of_type("team_pref_change")] == [("read_receipts", True)]
