"""Avatars and workspace icons are served in every mode; nothing else under MEDIA_ROOT is."""

from __future__ import annotations

import pytest

from slackclone.testing.web import web_client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for folder in ("avatars", "workspace-icons", "files"):
        (tmp_path / folder).mkdir()
    return tmp_path


def test_avatars_and_icons_are_served_with_debug_off(db, media, settings):
    assert settings.DEBUG is False
    (media / "avatars" / "abc.png").write_bytes(b"\x89PNG fake")
    (media / "workspace-icons" / "def.jpg").write_bytes(b"\xff\xd8 fake")
    avatar = web_client().get("/media/avatars/abc.png")
    assert (avatar.status_code, avatar["Content-Type"]) == (200, "image/png")
    assert b"".join(avatar.streaming_content) == b"\x89PNG fake"
    assert "immutable" in avatar["Cache-Control"]
    assert web_client().get("/media/workspace-icons/def.jpg")["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize(
    "url",
    [
        "/media/files/secret.png",  # message attachments go through the API's membership check
        "/media/avatars/missing.png",
        "/media/avatars/evil.svg",  # an SVG could carry script
        "/media/avatars/..%2Ffiles%2Fsecret.png",
        "/media/avatars/.hidden.png",
    ],
)
def test_anything_else_is_not_found(db, media, url):
    (media / "files" / "secret.png").write_bytes(b"private")
    (media / "avatars" / "evil.svg").write_bytes(b"<svg onload=alert(1)>")
    (media / "avatars" / ".hidden.png").write_bytes(b"x")
    assert web_client().get(url).status_code == 404
