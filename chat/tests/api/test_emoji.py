"""Custom emoji over the REST API: list, add, alias, remove, and the images, for the workspace's people only."""

from __future__ import annotations

import pytest

from chat.models import CustomEmoji
from chat.services import emoji_add, emoji_alias
from slackclone.testing.api import error_code
from slackclone.testing.factories import add_member
from slackclone.testing.images import animated_gif_bytes, image_bytes, upload
from workspaces.services import workspace_set_emoji_policy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _url(team, suffix=""):
    return f"/api/v1/workspaces/{team.workspace.public_id}/emoji{suffix}"


def _post_image(client, team, name="partyparrot", data=None, filename="parrot.gif"):
    return client.post(_url(team), {"name": name, "image": upload(data or image_bytes(), filename)}, format="multipart")


def test_a_member_adds_an_image_and_everyone_lists_it(team, client_for):
    response = _post_image(client_for(team.member), team, data=animated_gif_bytes())
    assert response.status_code == 201
    added = response.json()["emoji"]
    key = CustomEmoji.objects.get(name="partyparrot").image_key
    url = f"/api/v1/workspaces/{team.workspace.public_id}/emoji-images/{key}"
    assert added == {
        "name": "partyparrot",
        "value": url,
        "url": url,
        "alias_for": None,
        "is_animated": True,
        "created_by": team.member.public_id,
        "created": added["created"],
        "can_remove": True,
    }
    listed = client_for(team.guest).get(_url(team)).json()
    assert listed["can_add"] is False
    assert listed["add_policy"] == "everyone"
    assert [(item["name"], item["url"], item["can_remove"]) for item in listed["emoji"]] == [
        ("partyparrot", url, False)
    ]


def test_an_alias_is_added_with_json(team, client_for):
    emoji_add(actor=team.member, workspace=team.workspace, name="partyparrot", image=upload(image_bytes()))
    response = client_for(team.other_member).post(
        f"/api/v1/workspaces/{team.workspace.public_id}/emoji-aliases", {"name": "parrot", "alias_for": "partyparrot"}
    )
    assert response.status_code == 201
    body = response.json()["emoji"]
    assert (body["value"], body["url"], body["alias_for"]) == ("alias:partyparrot", None, "partyparrot")


def test_remove_answers_the_names_removed(team, client_for):
    emoji_add(actor=team.member, workspace=team.workspace, name="partyparrot", image=upload(image_bytes()))
    emoji_alias(actor=team.member, workspace=team.workspace, name="parrot", alias_for="partyparrot")
    refused = client_for(team.other_member).delete(_url(team, "/partyparrot"))
    assert (refused.status_code, error_code(refused)) == (403, "restricted_action")
    response = client_for(team.admin).delete(_url(team, "/partyparrot"))
    assert (response.status_code, response.json()) == (200, {"names": ["partyparrot", "parrot"]})
    missing = client_for(team.admin).delete(_url(team, "/partyparrot"))
    assert (missing.status_code, error_code(missing)) == (404, "emoji_not_found")


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("bad name", None, 400, "invalid_name"),
        ("thumbsup", None, 409, "name_taken"),
        ("doc", b"%PDF-1.4 not an image", 400, "invalid_file"),
        ("big", b"x" * (2 * 1024 * 1024 + 1), 413, "file_too_large"),
    ],
)
def test_bad_input_is_a_clear_error_and_stores_nothing(team, client_for, media, name, data, status, code):
    response = _post_image(client_for(team.member), team, name=name, data=data)
    assert (response.status_code, error_code(response)) == (status, code)
    assert not CustomEmoji.objects.exists()
    assert [path for path in media.rglob("*") if path.is_file()] == []


def test_members_cannot_add_when_admins_keep_it_to_themselves(team, client_for):
    workspace_set_emoji_policy(actor=team.owner, workspace=team.workspace, emoji_add_policy="admins")
    assert client_for(team.member).get(_url(team)).json()["can_add"] is False
    response = _post_image(client_for(team.member), team)
    assert (response.status_code, error_code(response)) == (403, "restricted_action")
    assert _post_image(client_for(team.admin), team).status_code == 201


def test_the_image_is_served_with_long_cache_headers(team, client_for):
    emoji = emoji_add(actor=team.member, workspace=team.workspace, name="partyparrot", image=upload(image_bytes()))
    response = client_for(team.guest).get(
        f"/api/v1/workspaces/{team.workspace.public_id}/emoji-images/{emoji.image_key}"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_a_token_serves_its_own_workspaces_images(team, client_for):
    emoji = emoji_add(actor=team.member, workspace=team.workspace, name="partyparrot", image=upload(image_bytes()))
    path = f"/api/v1/workspaces/{team.workspace.public_id}/emoji-images/{emoji.image_key}"
    assert client_for(team.member, team.workspace).get(path).status_code == 200


def test_nobody_outside_the_workspace_sees_its_emoji_or_their_images(team, outsider, client_for):
    emoji = emoji_add(actor=team.member, workspace=team.workspace, name="partyparrot", image=upload(image_bytes()))
    image = f"/api/v1/workspaces/{team.workspace.public_id}/emoji-images/{emoji.image_key}"
    other_workspace = outsider.memberships.get().workspace
    add_member(other_workspace, team.member)  # a token of another workspace, though its person is in both
    clients = [client_for(outsider), client_for(outsider, other_workspace), client_for(team.member, other_workspace)]
    for client in clients:
        for response in (client.get(image), client.get(_url(team)), _post_image(client, team, name="mine")):
            assert (response.status_code, error_code(response)) == (404, "workspace_not_found")
        removed = client.delete(_url(team, "/partyparrot"))
        assert (removed.status_code, error_code(removed)) == (404, "workspace_not_found")
    assert client_for(None).get(image).status_code == 401
    assert CustomEmoji.objects.filter(workspace=team.workspace).count() == 1


def test_an_image_is_not_found_under_another_workspaces_id(team, outsider, client_for):
    theirs = outsider.memberships.get().workspace
    emoji = emoji_add(actor=outsider, workspace=theirs, name="theirs", image=upload(image_bytes()))
    path = f"/api/v1/workspaces/{team.workspace.public_id}/emoji-images/{emoji.image_key}"
    response = client_for(team.member).get(path)
    assert (response.status_code, error_code(response)) == (404, "emoji_not_found")


def test_emoji_images_are_not_public_media(team, client):
    emoji = emoji_add(actor=team.member, workspace=team.workspace, name="partyparrot", image=upload(image_bytes()))
    assert client.get(f"/media/{emoji.image.name}").status_code == 404
