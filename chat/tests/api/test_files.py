"""Files: multipart upload, sniffed types, thumbnails, size limit, and serving only to channel members."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chat.models import Attachment
from chat.services import channel_create, channel_invite
from slackclone.testing.api import error_code


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def png_bytes(size=(800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(client, channel, name: str, content: bytes, content_type: str = "application/octet-stream", **fields):
    data = {"file": SimpleUploadedFile(name, content, content_type=content_type), **fields}
    return client.post(f"/api/v1/channels/{channel.public_id}/files", data, format="multipart")


def test_upload_an_image_shares_it_with_a_thumbnail(team, client_for):
    response = upload(client_for(team.member), team.general, "photo.png", png_bytes(), text="look")
    assert response.status_code == 201
    body = response.json()
    assert (body["file"]["mimetype"], body["file"]["is_image"], body["file"]["name"]) == (
        "image/png",
        True,
        "photo.png",
    )
    assert body["message"]["text"] == "look"
    assert body["message"]["files"] == [body["file"]]
    thumb = client_for(team.member).get(body["file"]["thumb_url"])
    assert thumb.status_code == 200
    with Image.open(io.BytesIO(b"".join(thumb.streaming_content))) as image:
        assert max(image.size) == 360


def test_upload_without_text_is_allowed(team, client_for):
    response = upload(client_for(team.member), team.general, "notes.txt", b"plain words\n")
    assert response.status_code == 201
    assert response.json()["message"]["text"] == ""


def test_content_type_is_sniffed_not_trusted(team, client_for):
    response = upload(client_for(team.member), team.general, "evil.png", b"<script>alert(1)</script>", "image/png")
    body = response.json()["file"]
    assert (body["mimetype"], body["is_image"], body["thumb_url"]) == ("text/plain", False, None)


def test_non_images_download_as_attachments_with_nosniff(team, client_for):
    file = upload(client_for(team.member), team.general, "report.pdf", b"%PDF-1.4 fake").json()["file"]
    response = client_for(team.other_member).get(file["url_private"])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 fake"


def test_images_are_shown_inline(team, client_for):
    file = upload(client_for(team.member), team.general, "p.png", png_bytes()).json()["file"]
    response = client_for(team.member).get(file["url_private"], HTTP_ACCEPT="image/png")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Type"] == "image/png"


def test_files_are_served_only_to_members_of_their_channel(team, client_for):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="closed", is_private=True)
    file = upload(client_for(team.member), channel, "s.txt", b"secret").json()["file"]
    for outsider in (team.admin, team.other_member, team.guest):
        for url in (file["url_private"], f"/api/v1/files/{file['id']}"):
            response = client_for(outsider).get(url)
            assert (response.status_code, error_code(response)) == (404, "file_not_found")
            assert b"secret" not in response.content
    channel_invite(actor=team.member, channel=channel, users=[team.other_member])
    assert client_for(team.other_member).get(f"/api/v1/files/{file['id']}").status_code == 200


def test_public_channel_files_need_channel_membership_too(team, client_for):
    file = upload(client_for(team.owner), team.random, "r.txt", b"random").json()["file"]
    assert client_for(team.member).get(file["url_private"]).status_code == 404


def test_file_over_the_limit_is_413(team, client_for, settings):
    settings.FILE_UPLOAD_MAX_BYTES = 1000
    response = upload(client_for(team.member), team.general, "big.bin", b"x" * 1001)
    assert (response.status_code, error_code(response)) == (413, "file_too_large")
    assert not Attachment.objects.exists()


def test_declared_length_far_over_the_limit_is_refused_before_reading(team, client_for, settings):
    settings.FILE_UPLOAD_MAX_BYTES = 10
    response = client_for(team.member).generic(
        "POST",
        f"/api/v1/channels/{team.general.public_id}/files",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(5 * 1024 * 1024),
    )
    assert (response.status_code, error_code(response)) == (413, "file_too_large")


def test_empty_file_is_400(team, client_for):
    response = upload(client_for(team.member), team.general, "empty.txt", b"")
    assert (response.status_code, error_code(response)) == (400, "invalid_file")


def test_upload_without_a_file_is_400(team, client_for):
    response = client_for(team.member).post(
        f"/api/v1/channels/{team.general.public_id}/files", {"text": "x"}, format="multipart"
    )
    assert response.json()["error"]["fields"] == {"file": "required"}


def test_upload_as_json_is_415(team, client_for):
    response = client_for(team.member).post(f"/api/v1/channels/{team.general.public_id}/files", {"text": "x"})
    assert response.status_code == 415


def test_upload_to_a_channel_you_are_not_in_stores_nothing(team, client_for, media_root):
    response = upload(client_for(team.member), team.random, "x.txt", b"x")
    assert (response.status_code, error_code(response)) == (403, "not_in_channel")
    assert not list(media_root.rglob("*.txt"))


def test_stored_names_are_random(team, client_for):
    upload(client_for(team.member), team.general, "payroll.txt", b"numbers")
    stored = Attachment.objects.get().file.name
    assert "payroll" not in stored


def test_deleted_messages_take_their_files_with_them(team, client_for):
    client = client_for(team.member)
    body = upload(client, team.general, "x.txt", b"x").json()
    client.delete(f"/api/v1/channels/{team.general.public_id}/messages/{body['message']['ts']}")
    assert client.get(body["file"]["url_private"]).status_code == 404


def test_unknown_file_is_404(team, client_for):
    response = client_for(team.member).get("/api/v1/files/FNOPE00000/content")
    assert (response.status_code, error_code(response)) == (404, "file_not_found")
    assert response["Content-Type"] == "application/json"
