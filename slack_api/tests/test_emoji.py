"""emoji.list: the workspace's custom emoji in Slack's shape, for its own tokens, with emoji:read."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from chat.services import emoji_add, emoji_alias
from slack_api.tests.conftest import token_for
from slack_apps.manifest import parse_manifest
from slack_apps.services import app_create
from slackclone.testing.images import image_bytes, upload

pytestmark = pytest.mark.django_db


def _manifest(*scopes: str) -> str:
    return json.dumps({"display_information": {"name": "Emoji app"}, "oauth_config": {"scopes": {"bot": list(scopes)}}})


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _emoji_list(client, token: str) -> dict:
    return client.post("/api/emoji.list", HTTP_AUTHORIZATION=f"Bearer {token}").json()


def test_emoji_list_maps_names_to_image_urls_and_aliases(client, team):
    parrot = emoji_add(actor=team.member, workspace=team.workspace, name="partyparrot", image=upload(image_bytes()))
    emoji_alias(actor=team.member, workspace=team.workspace, name="parrot", alias_for="partyparrot")
    emoji_alias(actor=team.member, workspace=team.workspace, name="shipit2", alias_for="rocket")
    image = f"{settings.SITE_URL}/api/v1/workspaces/{team.workspace.public_id}/emoji-images/{parrot.image_key}"
    assert _emoji_list(client, token_for(team.guest, team.workspace)) == {
        "ok": True,
        "emoji": {"parrot": "alias:partyparrot", "partyparrot": image, "shipit2": "alias:rocket"},
    }


def test_emoji_list_through_slack_sdk(web, team):
    emoji_add(actor=team.member, workspace=team.workspace, name="partyparrot", image=upload(image_bytes()))
    assert list(web(team.member).emoji_list()["emoji"]) == ["partyparrot"]


def test_a_token_lists_only_its_own_workspaces_emoji(client, team, outsider):
    emoji_add(actor=team.member, workspace=team.workspace, name="partyparrot", image=upload(image_bytes()))
    other = outsider.memberships.get().workspace
    assert _emoji_list(client, token_for(outsider, other)) == {"ok": True, "emoji": {}}


def test_an_app_needs_emoji_read(client, team):
    _, limited = app_create(actor=team.admin, workspace=team.workspace, spec=parse_manifest(_manifest("chat:write")))
    body = _emoji_list(client, limited.bot_token)
    assert (body["ok"], body["error"], body["needed"]) == (False, "missing_scope", "emoji:read")
    _, reader = app_create(actor=team.admin, workspace=team.workspace, spec=parse_manifest(_manifest("emoji:read")))
    assert _emoji_list(client, reader.bot_token) == {"ok": True, "emoji": {}}
