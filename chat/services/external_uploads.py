"""Uploads in three steps, as Slack's files_upload_v2 makes them: announce a file and get a one-time URL,
send its bytes there, then share one or more such files in a message."""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import hash_token
from chat.models import Channel, ExternalUpload, Message
from chat.services.files import check_upload, clean_file_name, discard_file, store_file
from chat.services.messages import message_post
from slackclone.errors import DomainError, ErrorCode
from workspaces.permissions import access_membership

if TYPE_CHECKING:
    from accounts.models import User
    from workspaces.models import Workspace

UNSHARED_LIFETIME = timedelta(hours=1)
MAX_FILES_PER_MESSAGE = 10


def external_upload_start(
    *, actor: User, workspace: Workspace, filename: str, length: int
) -> tuple[ExternalUpload, str]:
    """Announce a file of `length` bytes; returns the upload and the secret of its one-time URL (shown once).

    The actor's uploads left unshared for an hour are dropped first.
    Callers: active members of the workspace (bots included).
    Raises: invalid_arguments (no file name, a length that is not a whole number above 0),
    file_too_large, workspace_not_found, account_inactive.
    """
    access_membership(actor, workspace)
    if not isinstance(filename, str) or not filename.strip():
        raise DomainError(ErrorCode.INVALID_ARGUMENTS, "Give the file's name.", fields={"filename": "required"})
    if isinstance(length, bool) or not isinstance(length, int) or length < 1:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS, "length must be a whole number above 0.", fields={"length": "invalid"}
        )
    if length > settings.FILE_UPLOAD_MAX_BYTES:
        raise DomainError(
            ErrorCode.FILE_TOO_LARGE,
            "Files can be at most %(file_upload_max_bytes)s bytes.",
            fields={"length": "too_large"},
            params={"file_upload_max_bytes": f"{settings.FILE_UPLOAD_MAX_BYTES:,}"},
        )
    _drop_unshared(actor)
    secret = secrets.token_urlsafe(32)
    upload = ExternalUpload.objects.create(
        workspace=workspace,
        uploader=actor,
        filename=clean_file_name(filename),
        length=length,
        secret_hash=hash_token(secret),
    )
    return upload, secret


def _drop_unshared(actor: User) -> None:
    stale = ExternalUpload.objects.filter(uploader=actor, created_at__lt=timezone.now() - UNSHARED_LIFETIME)
    for upload in stale.select_related("attachment"):
        attachment = upload.attachment
        upload.delete()
        if attachment is not None and attachment.message_id is None:
            attachment.delete()
            transaction.on_commit(partial(discard_file, attachment))


def external_upload_receive(*, secret: str, content: UploadedFile) -> ExternalUpload:
    """Store the bytes sent to an upload's one-time URL; the file stays unshared until completed.

    Callers: anyone holding the URL (it is the credential, as Slack's upload URLs are).
    Raises: file_not_found (an unknown, used or expired URL), invalid_arguments (not the announced
    length), file_too_large, invalid_file (empty).
    """
    check_upload(content)
    with transaction.atomic():
        upload = (
            ExternalUpload.objects.select_for_update()
            .filter(secret_hash=hash_token(secret or ""), attachment__isnull=True)
            .filter(created_at__gte=timezone.now() - UNSHARED_LIFETIME)
            .first()
        )
        if upload is None:
            raise DomainError(ErrorCode.FILE_NOT_FOUND, "This upload URL is unknown, used or expired.")
        if content.size != upload.length:
            raise DomainError(
                ErrorCode.INVALID_ARGUMENTS,
                "%(size)s bytes arrived; %(length)s were announced.",
                fields={"length": "mismatch"},
                params={"size": f"{content.size:,}", "length": f"{upload.length:,}"},
            )
        content.name = upload.filename
        attachment = store_file(upload.uploader, upload.workspace_id, content, public_id=upload.file_public_id)
        try:
            attachment.save()
            upload.attachment = attachment
            upload.save(update_fields=["attachment"])
        except BaseException:
            discard_file(attachment)
            raise
    return upload


@transaction.atomic
def external_upload_complete(
    *,
    actor: User,
    workspace: Workspace,
    file_ids: list[str],
    channel: Channel,
    text: str = "",
    thread_ts: str | None = None,
) -> Message:
    """Share received uploads in one message of `channel` (or of the thread `thread_ts`), with `text`.

    Callers: the uploader, a member of the channel.
    Raises: invalid_arguments (no files, too many, the same one twice), file_not_found (not the
    actor's, not received yet, or already shared), and message_post's errors.
    Events: message (with `files`), as message_post.
    """
    if not file_ids or len(file_ids) > MAX_FILES_PER_MESSAGE or len(set(file_ids)) != len(file_ids):
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "Share 1 to %(max_files_per_message)s different files at once.",
            fields={"files": "invalid"},
            params={"max_files_per_message": MAX_FILES_PER_MESSAGE},
        )
    uploads = {
        upload.file_public_id: upload
        for upload in ExternalUpload.objects.select_for_update()
        .select_related("attachment")
        .filter(uploader=actor, workspace=workspace, file_public_id__in=file_ids, attachment__isnull=False)
    }
    missing = [file_id for file_id in file_ids if file_id not in uploads]
    if missing:
        raise DomainError(
            ErrorCode.FILE_NOT_FOUND,
            "No upload %(value)s to share.",
            fields={"files": missing[0]},
            params={"value": missing[0]},
        )
    # The query took only uploads that have their attachment, so this drops none.
    attachments = [attachment for file_id in file_ids if (attachment := uploads[file_id].attachment) is not None]
    message = message_post(sender=actor, channel=channel, text=text, thread_ts=thread_ts, attachments=attachments)
    ExternalUpload.objects.filter(pk__in=[upload.pk for upload in uploads.values()]).delete()
    return message
