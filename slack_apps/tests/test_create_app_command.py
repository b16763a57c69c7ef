"""manage.py create_app: the operator makes an app as one of the workspace's admins; the last line
is the credentials as one JSON object."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from slack_apps.models import App
from slack_apps.tests.test_manifest import YAML_MANIFEST
from workspaces.tokens import api_token_authenticate

pytestmark = pytest.mark.django_db


def create_app(*args: str) -> dict:
    out = StringIO()
    call_command("create_app", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_the_last_line_is_the_credentials(team):
    made = create_app(team.workspace.slug, "Deployer", "--by", team.admin.email, "--socket-mode", "--command", "/ship")

    assert set(made) == {"app_id", "bot_user_id", "bot_token", "app_token", "signing_secret"}
    app = App.objects.get(public_id=made["app_id"])
    assert app.socket_mode
    assert app.bot_user.public_id == made["bot_user_id"]
    assert list(app.commands.values_list("command", flat=True)) == ["/ship"]
    assert api_token_authenticate(made["bot_token"]).user == app.bot_user


def test_a_manifest_file_gives_the_rest(team, tmp_path):
    manifest = tmp_path / "manifest.yml"
    manifest.write_text(YAML_MANIFEST)
    made = create_app(team.workspace.slug, "Standup 2", "--by", team.owner.email, "--manifest", str(manifest))
    app = App.objects.get(public_id=made["app_id"])
    assert (app.name, app.bot_events) == ("Standup 2", ["reaction_added"])


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--by", "nobody@example.com"], "[user_not_found]"),
        (["--by", "MEMBER", "--command", "/x"], "[restricted_action]"),
        (["--by", "ADMIN", "--event", "message.all"], "[invalid_manifest]"),
        (["--by", "ADMIN", "--manifest", "/no/such/file"], "Cannot read /no/such/file"),
        (["--by", "ADMIN", "--manifest", "/dev/null", "--socket-mode"], "[invalid_arguments]"),
    ],
)
def test_bad_input_is_refused_with_its_code_and_nothing_is_made(team, extra, message):
    extra = [{"MEMBER": team.member.email, "ADMIN": team.admin.email}.get(arg, arg) for arg in extra]
    with pytest.raises(CommandError) as caught:
        create_app(team.workspace.slug, "Broken", *extra)
    assert message in str(caught.value)
    assert not App.objects.exists()


def test_an_unknown_workspace_is_named(team):
    with pytest.raises(CommandError, match="workspace_not_found"):
        create_app("nowhere", "App", "--by", team.admin.email)
