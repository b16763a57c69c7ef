"""The Django admin makes apps from a pasted manifest and acts on them through the services."""

from __future__ import annotations

import pytest

from chat.tests.admin.support import admin_url, run_action, shown_messages
from slack_apps.manifest import spec_from_options
from slack_apps.models import App
from slack_apps.services import app_create
from slack_apps.tests.test_manifest import YAML_MANIFEST
from workspaces.models import Membership
from workspaces.tokens import api_token_authenticate

pytestmark = pytest.mark.django_db


def test_an_app_made_from_a_pasted_manifest_shows_its_secrets_once(admin_client, team):
    response = admin_client.post(
        admin_url("slack_apps.App", "add"),
        {"workspace": team.workspace.pk, "name": "", "manifest": YAML_MANIFEST},
        follow=True,
    )
    app = App.objects.get()
    assert (app.name, app.socket_mode, app.bot_events) == ("Standup", True, ["reaction_added"])
    shown = " ".join(shown_messages(response))
    assert "xoxb-" in shown
    assert "xapp-1-" in shown
    assert "signing_secret" in shown


def test_a_bad_manifest_is_a_form_error_and_nothing_is_made(admin_client, team):
    response = admin_client.post(
        admin_url("slack_apps.App", "add"),
        {"workspace": team.workspace.pk, "name": "", "manifest": "settings: {colour: red}"},
    )
    assert response.status_code == 200
    assert "(invalid_manifest)" in response.content.decode()
    assert not App.objects.exists()


def test_actions_disable_rotate_and_delete(admin_client, team):
    app, _ = app_create(actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Act"))

    assert "Disabled: 1 app." in run_action(admin_client, "slack_apps.App", "disable", [app])
    assert not Membership.objects.get(user=app.bot_user).is_active
    run_action(admin_client, "slack_apps.App", "enable", [app])

    shown = run_action(admin_client, "slack_apps.App", "rotate_bot_token", [app])
    new_token = next(line for line in shown if "new bot_token" in line).rsplit(" ", 1)[-1]
    assert api_token_authenticate(new_token).user == app.bot_user

    assert "Deleted: 1 app." in run_action(admin_client, "slack_apps.App", "delete_apps", [app])
    assert not App.objects.exists()
