"""The three-step upload (files_upload_v2): announce, send the bytes, share; what is left unshared; and
one file shared in several channels at once (files.upload)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chat.models import Attachment, ExternalUpload
from chat.services import channel_create
from chat.services.external_uploads import (
    UNSHARED_LIFETIME,
    external_upload_complete,
    external_upload_receive,
    external_upload_start,
)
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _received(team, data: bytes = b"notes"):
    _, secret = external_upload_start(actor=team.member, workspace=team.workspace, filename="n.txt", length=len(data))
    return external_upload_receive(secret=secret, content=SimpleUploadedFile("x", data))


def test_an_upload_left_unshared_for_an_hour_is_dropped_with_its_bytes(team, django_capture_on_commit_callbacks):
    stale = _received(team)
    stored, storage = stale.attachment.file.name, stale.attachment.file.storage
    assert storage.exists(stored)
    ExternalUpload.objects.filter(pk=stale.pk).update(created_at=stale.created_at - UNSHARED_LIFETIME - timedelta(1))
    with django_capture_on_commit_callbacks(execute=True):
        external_upload_start(actor=team.member, workspace=team.workspace, filename="next.txt", length=3)
    assert not ExternalUpload.objects.filter(pk=stale.pk).exists()
    assert not Attachment.objects.filter(public_id=stale.file_public_id).exists()
    assert not storage.exists(stored)


def test_an_expired_upload_url_takes_nothing(team):
    upload, secret = external_upload_start(actor=team.member, workspace=team.workspace, filename="n.txt", length=5)
    ExternalUpload.objects.filter(pk=upload.pk).update(created_at=upload.created_at - UNSHARED_LIFETIME - timedelta(1))
    with refused(ErrorCode.FILE_NOT_FOUND):
        external_upload_receive(secret=secret, content=SimpleUploadedFile("x", b"notes"))


def test_sharing_in_a_private_channel_you_are_not_in_is_channel_not_found_and_writes_nothing(team):
    secret_channel = channel_create(actor=team.owner, workspace=team.workspace, name="vault", is_private=True)
    upload = _received(team)
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        external_upload_complete(
            actor=team.member, workspace=team.workspace, file_ids=[upload.file_public_id], channel=secret_channel
        )


@pytest.mark.parametrize(
    ("filename", "length", "code"),
    [
        ("", 5, ErrorCode.INVALID_ARGUMENTS),
        ("a.txt", 0, ErrorCode.INVALID_ARGUMENTS),
        ("a.txt", 10**12, ErrorCode.FILE_TOO_LARGE),
    ],
)
def test_a_bad_announcement_is_refused(team, filename, length, code):
    with refused(code):
        external_upload_start(actor=team.member, workspace=team.workspace, filename=filename, length=length)


def test_a_file_shared_in_several_channels_is_refused_in_all_when_one_refuses(team):
    from chat.models import Message
    from chat.services.files import file_upload_to_channels

    with refused(ErrorCode.NOT_IN_CHANNEL):
        file_upload_to_channels(
            actor=team.member, channels=[team.general, team.random], upload=SimpleUploadedFile("a.txt", b"hi")
        )
    messages = file_upload_to_channels(
        actor=team.owner, channels=[team.general, team.random], upload=SimpleUploadedFile("a.txt", b"hi"), text="both"
    )
    assert [m.channel_id for m in messages] == [team.general.pk, team.random.pk]
    assert Message.objects.filter(text="both").count() == 2
    assert Attachment.objects.filter(message__in=messages).count() == 2
