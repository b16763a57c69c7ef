"""import_slack_export brings a workspace's custom emoji when the export has them; export_workspace writes them."""

from __future__ import annotations

import os
import zipfile

import pytest
from PIL import Image

from chat.models import CustomEmoji
from chat.services import emoji_add, emoji_alias
from integrations.slack_export.exporter import export_workspace
from integrations.slack_export.importer import import_slack_export
from integrations.tests.slack_export_fixture import build_export, edit_export
from slackclone import images
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused
from slackclone.testing.factories import workspace_with_owner
from slackclone.testing.images import animated_gif_bytes, image_bytes, upload

pytestmark = pytest.mark.django_db

EDGE = "https://emoji.slack-edge.com/TS1"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def plain_export(tmp_path, team):
    return build_export(tmp_path / "plain.zip", member_email=team.member.email)


def with_emoji(plain_export, tmp_path, index_name="emoji.json"):
    index = {
        "partyparrot": f"{EDGE}/partyparrot/5a1e.gif",
        "logo": f"{EDGE}/logo/9f2c.png",
        "parrot": "alias:partyparrot",
        "yay": "alias:tada",
        "orphan": "alias:nothing-here",
        "thumbsup": f"{EDGE}/thumbsup/1.png",
        "missing": f"{EDGE}/missing/2.png",
        "broken": f"{EDGE}/broken/3.png",
        "huge": f"{EDGE}/huge/4.png",
        "Bad Name": f"{EDGE}/bad/5.png",
    }
    files = {
        index_name: index,
        "emojis/partyparrot.gif": animated_gif_bytes(frames=3),
        "emojis/logo.png": image_bytes((512, 512)),
        "emojis/thumbsup.png": image_bytes(),
        "emojis/broken.png": b"%PDF-1.4 not an image",
        "emojis/huge.png": os.urandom(images.EMOJI_MAX_BYTES + 1),
    }
    return edit_export(plain_export, tmp_path / "with-emoji.zip", files)


def _emoji(team) -> dict[str, str]:
    rows = CustomEmoji.objects.filter(workspace=team.workspace)
    return {row.name: row.alias_for or row.content_type for row in rows}


def test_the_exports_emoji_images_and_aliases_are_imported_and_the_rest_skipped_with_reasons(
    plain_export, tmp_path, team
):
    report = import_slack_export(workspace=team.workspace, path=with_emoji(plain_export, tmp_path))
    assert _emoji(team) == {
        "partyparrot": "image/gif",
        "logo": "image/png",
        "parrot": "partyparrot",
        "yay": "tada",
    }
    assert report.created["emoji"] == 4
    skipped = {reason: report.examples[("emoji", reason)] for kind, reason in report.skipped if kind == "emoji"}
    assert skipped == {
        "emoji_not_found": [":orphan:"],
        "name_taken": [":thumbsup:"],
        "no image in the export": [":missing:"],
        "invalid_file": [":broken:"],
        "file_too_large": [":huge:"],
        "invalid_name": [":Bad Name:"],
    }
    logo = CustomEmoji.objects.get(workspace=team.workspace, name="logo")
    with logo.image.open("rb") as stored:
        assert Image.open(stored).size == (128, 128)
    assert logo.created_by is None  # the operator's import


def test_importing_again_adds_no_emoji(plain_export, tmp_path, team):
    export = with_emoji(plain_export, tmp_path)
    import_slack_export(workspace=team.workspace, path=export)
    before = sorted(CustomEmoji.objects.values_list("pk", "image"))
    report = import_slack_export(workspace=team.workspace, path=export)
    assert sorted(CustomEmoji.objects.values_list("pk", "image")) == before
    assert (report.created["emoji"], report.existing["emoji"]) == (0, 4)


def test_slackdumps_index_json_is_read_too(plain_export, tmp_path, team):
    import_slack_export(workspace=team.workspace, path=with_emoji(plain_export, tmp_path, index_name="index.json"))
    assert "partyparrot" in _emoji(team)


def test_an_export_without_emoji_imports_none(plain_export, team):
    report = import_slack_export(workspace=team.workspace, path=plain_export)
    assert (report.created["emoji"], CustomEmoji.objects.count()) == (0, 0)


@pytest.mark.parametrize("index", [["partyparrot"], {"partyparrot": 3}, {"x" * 101: "alias:tada"}])
def test_an_emoji_index_of_another_shape_refuses_the_whole_export(plain_export, tmp_path, team, index):
    export = edit_export(plain_export, tmp_path / "bad.zip", {"emoji.json": index})
    with refused(ErrorCode.INVALID_EXPORT):
        import_slack_export(workspace=team.workspace, path=export)


def test_an_exported_workspaces_emoji_come_back_in_another(tmp_path, team):
    emoji_add(actor=team.member, workspace=team.workspace, name="partyparrot", image=upload(animated_gif_bytes()))
    emoji_alias(actor=team.member, workspace=team.workspace, name="parrot", alias_for="partyparrot")
    path = tmp_path / "out.zip"
    assert export_workspace(workspace=team.workspace, path=path)["emoji"] == 2
    with zipfile.ZipFile(path) as archive:
        assert "emojis/partyparrot.gif" in archive.namelist()
    elsewhere = workspace_with_owner()
    import_slack_export(workspace=elsewhere, path=path)
    rows = CustomEmoji.objects.filter(workspace=elsewhere)
    assert {row.name: row.alias_for or row.content_type for row in rows} == {
        "partyparrot": "image/gif",
        "parrot": "partyparrot",
    }
