"""The workspace admin's custom emoji page (/<slug>/admin/emoji/): who may add them, and removing any."""

from __future__ import annotations

import pytest

from chat.models import CustomEmoji
from chat.services import emoji_add, emoji_alias
from realtime.transport import workspace_group
from slackclone.testing.images import image_bytes, upload
from slackclone.testing.web import web_client


def _url(team, page: str = "") -> str:
    return f"/{team.workspace.slug}/admin/emoji/{page}"


@pytest.fixture
def parrot(team):
    emoji = emoji_add(actor=team.member, workspace=team.workspace, name="partyparrot", image=upload(image_bytes()))
    emoji_alias(actor=team.member, workspace=team.workspace, name="parrot", alias_for="partyparrot")
    return emoji


def test_the_page_lists_each_emoji_with_its_image_and_who_added_it(team, parrot):
    page = web_client(team.admin).get(_url(team)).content.decode()
    assert f'src="/api/v1/workspaces/{team.workspace.public_id}/emoji-images/{parrot.image_key}"' in page
    assert ":partyparrot:" in page
    assert "alias of :partyparrot:" in page
    assert team.member.name in page


def test_an_admin_removes_anyones_emoji_and_every_client_hears_it(
    team, parrot, layer_listener, django_capture_on_commit_callbacks
):
    listener = layer_listener(workspace_group(team.workspace))
    with django_capture_on_commit_callbacks(execute=True):
        response = web_client(team.admin).post(_url(team, "partyparrot/remove/"))
    assert response.status_code == 302
    assert not CustomEmoji.objects.filter(workspace=team.workspace).exists()
    assert listener.receive_event()["names"] == ["partyparrot", "parrot"]


def test_admins_keep_adding_emoji_to_themselves(team):
    response = web_client(team.owner).post(_url(team, "policy/"), {"emoji_add_policy": "admins"})
    assert response.status_code == 302
    team.workspace.refresh_from_db()
    assert team.workspace.emoji_add_policy == "admins"
    assert web_client(team.owner).post(_url(team, "policy/"), {"emoji_add_policy": "nobody"}).status_code == 400


@pytest.mark.parametrize("who", ["member", "guest"])
def test_members_and_guests_cannot_use_the_page(team, parrot, who):
    client = web_client(getattr(team, who))
    assert client.post(_url(team, "policy/"), {"emoji_add_policy": "admins"}).status_code == 403
    assert client.post(_url(team, "partyparrot/remove/")).status_code == 403
    assert CustomEmoji.objects.filter(workspace=team.workspace).count() == 2


def test_an_outsider_finds_nothing(team, parrot, outsider):
    client = web_client(outsider)
    assert client.get(_url(team)).status_code == 404
    assert client.post(_url(team, "partyparrot/remove/")).status_code == 404
    assert CustomEmoji.objects.filter(workspace=team.workspace).count() == 2


def test_removing_an_emoji_that_is_not_there_says_so(team):
    response = web_client(team.admin).post(_url(team, "nothing/remove/"), follow=True)
    assert "There is no custom emoji :nothing:." in response.content.decode()
