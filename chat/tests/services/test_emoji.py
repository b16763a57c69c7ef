"""emoji_add, emoji_alias, emoji_remove: a workspace's own emoji, who may add and remove them, and their images."""

import io
from pathlib import Path

import pytest
from PIL import Image

from chat.models import CustomEmoji
from chat.services import emoji_add, emoji_alias, emoji_remove
from realtime.transport import user_group, workspace_group
from slackclone import images
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused
from slackclone.testing.images import animated_gif_bytes, image_bytes, upload
from workspaces.models import EmojiAddPolicy
from workspaces.services import workspace_set_emoji_policy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()]


def _stored_image(emoji: CustomEmoji) -> Image.Image:
    with emoji.image.open("rb") as stored:
        return Image.open(io.BytesIO(stored.read()))


def _add(team, name="partyparrot", data=None, actor=None):
    return emoji_add(
        actor=actor or team.member, workspace=team.workspace, name=name, image=upload(data or image_bytes())
    )


# --- Adding an image ------------------------------------------------------------------


def test_a_member_adds_an_image_stored_as_a_png_at_most_128_pixels(team):
    emoji = _add(team, name=":Party-Parrot_2:", data=image_bytes((600, 300)))
    assert (emoji.name, emoji.content_type, emoji.created_by) == ("party-parrot_2", "image/png", team.member)
    picture = _stored_image(emoji)
    assert (picture.format, picture.size) == ("PNG", (128, 64))


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP", "GIF"])
def test_jpeg_webp_and_still_gif_become_pngs(team, fmt):
    emoji = _add(team, data=image_bytes((64, 64), format=fmt))
    assert _stored_image(emoji).format == "PNG"


def test_a_large_jpeg_is_scaled_down_in_proportion(team):
    assert _stored_image(_add(team, data=image_bytes((2000, 1000), format="JPEG"))).size == (128, 64)


def test_a_small_image_is_not_enlarged(team):
    assert _stored_image(_add(team, data=image_bytes((20, 30)))).size == (20, 30)


def test_an_animated_gif_stays_animated_with_its_timing(team):
    emoji = _add(team, data=animated_gif_bytes(frames=5, size=(400, 400), duration=70))
    picture = _stored_image(emoji)
    assert (emoji.content_type, picture.format, picture.size, picture.n_frames) == ("image/gif", "GIF", (128, 128), 5)
    assert picture.info["duration"] == 70
    assert picture.info["loop"] == 0


def test_adding_tells_everyone_in_the_workspace_guests_included_and_no_one_else(
    team, outsider, layer_listener, django_capture_on_commit_callbacks
):
    everyone = layer_listener(workspace_group(team.workspace))
    guest = layer_listener(user_group(team.guest))
    others = layer_listener(workspace_group(outsider.memberships.get().workspace), user_group(outsider))
    with django_capture_on_commit_callbacks(execute=True):
        emoji = _add(team)
    for listener in (everyone, guest):
        event = listener.receive_event()
        assert event["type"] == "emoji_changed"
        assert event["subtype"] == "add"
        assert event["name"] == "partyparrot"
        assert event["value"] == f"/api/v1/workspaces/{team.workspace.public_id}/emoji-images/{emoji.image_key}"
    assert others.drain() == []


# --- Refusals: nothing is stored --------------------------------------------------------


@pytest.mark.parametrize("name", ["", "party parrot", "parrot!", "a" * 101, "émoji", "+1x", "::"])
def test_a_name_of_another_shape_is_invalid_name(team, media, name):
    with refused(ErrorCode.INVALID_NAME):
        _add(team, name=name)
    assert _stored_files(media) == []


@pytest.mark.parametrize("name", ["thumbsup", ":tada:", "100", "skin-tone-3"])
def test_a_standard_emoji_name_is_taken(team, media, name):
    with refused(ErrorCode.NAME_TAKEN) as info:
        _add(team, name=name)
    assert "standard" in info.value.message
    assert _stored_files(media) == []


def test_a_name_already_used_in_the_workspace_is_taken(team, media):
    _add(team)
    with refused(ErrorCode.NAME_TAKEN):
        _add(team, actor=team.admin)
    assert len(_stored_files(media)) == 1


def test_the_same_name_in_another_workspace_is_free(team, outsider):
    _add(team)
    other = outsider.memberships.get().workspace
    assert emoji_add(actor=outsider, workspace=other, name="partyparrot", image=upload(image_bytes())).pk


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read(team, media):
    too_big = upload(b"not even an image" * (images.EMOJI_MAX_BYTES // 16))
    with refused(ErrorCode.FILE_TOO_LARGE):
        emoji_add(actor=team.member, workspace=team.workspace, name="big", image=too_big)
    assert _stored_files(media) == []


@pytest.mark.parametrize("data", [b"GIF89a but not really", b"%PDF-1.4 a document", b"\x00" * 100, b"<svg></svg>"])
def test_a_file_that_is_not_an_image_is_invalid_file(team, media, data):
    with refused(ErrorCode.INVALID_FILE):
        _add(team, data=data)
    assert _stored_files(media) == []


def test_a_decompression_bomb_is_refused_by_its_pixel_count(team, media):
    bomb = image_bytes((5000, 5000), colour="black")  # a few kilobytes that decode to 100 MB
    assert len(bomb) < images.EMOJI_MAX_BYTES
    with refused(ErrorCode.INVALID_FILE) as info:
        _add(team, data=bomb)
    assert "pixels" in info.value.message
    assert _stored_files(media) == []


def test_an_animation_with_too_many_frames_is_refused(team, media):
    with refused(ErrorCode.INVALID_FILE) as info:
        _add(team, data=animated_gif_bytes(frames=images.EMOJI_MAX_FRAMES + 1, size=(8, 8)))
    assert "frames" in info.value.message
    assert _stored_files(media) == []


def test_the_frame_budget_shrinks_as_frames_grow(team, media, monkeypatch):
    monkeypatch.setattr(images, "EMOJI_MAX_TOTAL_PIXELS", 3 * 100 * 100)
    with refused(ErrorCode.INVALID_FILE):
        _add(team, data=animated_gif_bytes(frames=4, size=(100, 100)))
    assert _add(team, data=animated_gif_bytes(frames=3, size=(100, 100))).content_type == "image/gif"


def test_an_animation_still_too_large_once_scaled_is_refused(team, media, monkeypatch):
    monkeypatch.setattr(images, "EMOJI_ANIMATED_MAX_BYTES", 200)
    with refused(ErrorCode.FILE_TOO_LARGE):
        _add(team, data=animated_gif_bytes(frames=6))
    assert _stored_files(media) == []


# --- Who may add ------------------------------------------------------------------------


def test_guests_cannot_add_emoji(team):
    with refused(ErrorCode.RESTRICTED_ACTION):
        _add(team, actor=team.guest)


def test_someone_outside_the_workspace_cannot_add_emoji(team, outsider):
    with refused(ErrorCode.WORKSPACE_NOT_FOUND):
        _add(team, actor=outsider)


def test_when_admins_keep_emoji_to_themselves_members_are_refused(team):
    workspace_set_emoji_policy(actor=team.admin, workspace=team.workspace, emoji_add_policy=EmojiAddPolicy.ADMINS)
    with refused(ErrorCode.RESTRICTED_ACTION):
        _add(team, actor=team.member)
    assert _add(team, actor=team.admin).pk
    assert _add(team, name="owner-one", actor=team.owner).pk


def test_only_admins_choose_who_adds_emoji(team):
    with refused(ErrorCode.RESTRICTED_ACTION):
        workspace_set_emoji_policy(actor=team.member, workspace=team.workspace, emoji_add_policy="admins")
    with refused(ErrorCode.INVALID_ARGUMENTS):
        workspace_set_emoji_policy(actor=team.owner, workspace=team.workspace, emoji_add_policy="guests")


def test_the_operator_adds_emoji_whatever_the_policy(team):
    workspace_set_emoji_policy(actor=None, workspace=team.workspace, emoji_add_policy="admins")
    assert emoji_add(actor=None, workspace=team.workspace, name="imported", image=upload(image_bytes())).pk


# --- Aliases ----------------------------------------------------------------------------


def test_an_alias_names_a_custom_emoji(team, layer_listener, django_capture_on_commit_callbacks):
    _add(team)
    listener = layer_listener(workspace_group(team.workspace))
    with django_capture_on_commit_callbacks(execute=True):
        alias = emoji_alias(actor=team.other_member, workspace=team.workspace, name="parrot", alias_for=":partyparrot:")
    assert (alias.alias_for, alias.image.name) == ("partyparrot", "")
    event = listener.receive_event()
    assert (event["subtype"], event["name"], event["value"]) == ("add", "parrot", "alias:partyparrot")


def test_an_alias_of_an_alias_names_the_original(team):
    _add(team)
    emoji_alias(actor=team.member, workspace=team.workspace, name="parrot", alias_for="partyparrot")
    again = emoji_alias(actor=team.member, workspace=team.workspace, name="birb", alias_for="parrot")
    assert again.alias_for == "partyparrot"


def test_an_alias_may_name_a_standard_emoji(team):
    assert (
        emoji_alias(actor=team.member, workspace=team.workspace, name="shipit2", alias_for="rocket").alias_for
        == "rocket"
    )


def test_an_alias_of_nothing_is_emoji_not_found(team):
    with refused(ErrorCode.EMOJI_NOT_FOUND):
        emoji_alias(actor=team.member, workspace=team.workspace, name="parrot", alias_for="no-such-emoji")


def test_an_alias_of_another_workspaces_emoji_is_emoji_not_found(team, outsider):
    other = outsider.memberships.get().workspace
    emoji_add(actor=outsider, workspace=other, name="theirs", image=upload(image_bytes()))
    with refused(ErrorCode.EMOJI_NOT_FOUND):
        emoji_alias(actor=team.member, workspace=team.workspace, name="mine", alias_for="theirs")


def test_aliases_keep_to_the_same_name_rules(team):
    _add(team)
    with refused(ErrorCode.NAME_TAKEN):
        emoji_alias(actor=team.member, workspace=team.workspace, name="partyparrot", alias_for="rocket")
    with refused(ErrorCode.NAME_TAKEN):
        emoji_alias(actor=team.member, workspace=team.workspace, name="fire", alias_for="partyparrot")
    with refused(ErrorCode.RESTRICTED_ACTION):
        emoji_alias(actor=team.guest, workspace=team.workspace, name="parrot", alias_for="partyparrot")


# --- Removing ---------------------------------------------------------------------------


def test_removing_an_emoji_removes_its_aliases_and_its_image(
    team, media, layer_listener, django_capture_on_commit_callbacks
):
    _add(team)
    emoji_alias(actor=team.other_member, workspace=team.workspace, name="parrot", alias_for="partyparrot")
    listener = layer_listener(workspace_group(team.workspace), user_group(team.guest))
    with django_capture_on_commit_callbacks(execute=True):
        names = emoji_remove(actor=team.member, workspace=team.workspace, name=":partyparrot:")
    assert names == ["partyparrot", "parrot"]
    assert not CustomEmoji.objects.filter(workspace=team.workspace).exists()
    assert _stored_files(media) == []
    event = listener.receive_event()
    assert (event["type"], event["subtype"], event["names"]) == ("emoji_changed", "remove", ["partyparrot", "parrot"])


def test_removing_an_alias_keeps_the_original(team):
    _add(team)
    emoji_alias(actor=team.member, workspace=team.workspace, name="parrot", alias_for="partyparrot")
    assert emoji_remove(actor=team.member, workspace=team.workspace, name="parrot") == ["parrot"]
    assert CustomEmoji.objects.filter(workspace=team.workspace, name="partyparrot").exists()


def test_members_remove_only_their_own_emoji_and_admins_any(team):
    _add(team)
    for someone in (team.other_member, team.guest):
        with refused(ErrorCode.RESTRICTED_ACTION):
            emoji_remove(actor=someone, workspace=team.workspace, name="partyparrot")
    assert emoji_remove(actor=team.admin, workspace=team.workspace, name="partyparrot") == ["partyparrot"]


def test_removing_what_is_not_there_is_emoji_not_found(team, outsider):
    with refused(ErrorCode.EMOJI_NOT_FOUND):
        emoji_remove(actor=team.admin, workspace=team.workspace, name="nothing")
    other = outsider.memberships.get().workspace
    emoji_add(actor=outsider, workspace=other, name="theirs", image=upload(image_bytes()))
    with refused(ErrorCode.EMOJI_NOT_FOUND):
        emoji_remove(actor=team.owner, workspace=team.workspace, name="theirs")


def test_a_deactivated_member_cannot_change_emoji(team):
    _add(team)
    membership = team.member.memberships.get(workspace=team.workspace)
    membership.is_active = False
    membership.save()
    with refused(ErrorCode.ACCOUNT_INACTIVE):
        emoji_remove(actor=team.member, workspace=team.workspace, name="partyparrot")
