"""Files: stored once, shared in one channel by the message that carries them.

The content type is sniffed from the bytes (filetype), never taken from the client; images
that Pillow can open get a thumbnail. Stored names are random, so a file's path says nothing
about it, and files are only ever served through the API, to members of their channel.
"""

from __future__ import annotations

import io
import logging
import os
import secrets
import unicodedata
from typing import TYPE_CHECKING

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from chat.models import Attachment, Channel, Message
from chat.permissions import access_channel_member, check_not_archived
from chat.services.messages import message_post
from slackclone.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

SNIFF_BYTES = 8192
THUMBNAIL_SIZE = (360, 360)
# Formats Pillow reads safely and browsers show; anything else is served as a download.
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
ORIGINAL_NAME_MAX_LENGTH = 255


def sniff_content_type(head: bytes) -> tuple[str, str]:
    """(content type, extension) judged from the first bytes; text if it decodes as UTF-8, else opaque bytes."""
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime, kind.extension
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        if error.start < len(head) - 3:
            return "application/octet-stream", "bin"
    return "text/plain", "txt"


def clean_file_name(raw: str | None) -> str:
    """The name people see: no directories, no control characters, at most 255 characters."""
    name = os.path.basename((raw or "").replace("\\", "/")).strip()
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return name[-ORIGINAL_NAME_MAX_LENGTH:] or "file"


def _thumbnail(upload: UploadedFile) -> ContentFile[bytes] | None:
    """A PNG thumbnail, or None when Pillow cannot read the image (it is then served as a download)."""
    image: Image.Image  # what Image.open gives, or a converted copy
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.thumbnail(THUMBNAIL_SIZE)
            if image.mode not in ("RGB", "RGBA", "L", "LA"):
                image = image.convert("RGBA")
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        logger.info("No thumbnail for an upload that looked like an image: %s", error)
        return None
    finally:
        upload.seek(0)
    return ContentFile(buffer.getvalue(), name=f"{secrets.token_hex(16)}.png")


def check_upload(upload: UploadedFile) -> int:
    """Refuse an upload too large or empty; returns its size."""
    limit = settings.FILE_UPLOAD_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise DomainError(
            ErrorCode.FILE_TOO_LARGE,
            "Files can be at most %(limit)s bytes.",
            fields={"file": "too_large"},
            params={"limit": f"{limit:,}"},
        )
    if upload.size == 0:
        raise DomainError(ErrorCode.INVALID_FILE, "The file is empty.", fields={"file": "empty"})
    return upload.size


def store_file(
    actor: User, workspace_id: int, upload: UploadedFile, *, channel: Channel | None = None, public_id: str = ""
) -> Attachment:
    """Write the file (and its thumbnail) to storage; the row is saved by the caller's transaction.

    Without a channel the file is not shared yet (chat.services.external_uploads): nobody can fetch it.
    """
    upload.seek(0)
    content_type, extension = sniff_content_type(upload.read(SNIFF_BYTES))
    attachment = Attachment(
        workspace_id=workspace_id,
        channel=channel,
        uploader=actor,
        original_name=clean_file_name(upload.name),
        size=check_upload(upload),  # every caller has checked it already: this is its size, known to be set
        content_type=content_type,
    )
    if content_type in IMAGE_TYPES:
        thumbnail = _thumbnail(upload)
        if thumbnail is None:
            attachment.content_type = "application/octet-stream"
        else:
            attachment.thumbnail.save(thumbnail.name, thumbnail, save=False)
    if public_id:
        attachment.public_id = public_id
    upload.seek(0)
    attachment.file.save(f"{secrets.token_hex(16)}.{extension}", upload, save=False)
    return attachment


def discard_file(attachment: Attachment) -> None:
    """Remove a file's stored bytes (and thumbnail); its row is the caller's to delete."""
    for stored in (attachment.file, attachment.thumbnail):
        if stored:
            stored.storage.delete(stored.name)


def file_upload(
    *,
    actor: User,
    channel: Channel,
    upload: UploadedFile,
    text: str = "",
    thread_ts: str | None = None,
    client_msg_id: str | None = None,
) -> Message:
    """Store a file and share it in a channel with a message (the text is optional), in one transaction.

    Callers: members of the channel. The same client_msg_id posts once; a retry returns the first
    message and stores nothing.
    Raises: file_too_large (over settings.FILE_UPLOAD_MAX_BYTES), invalid_file (empty),
    channel_not_found, not_in_channel, is_archived, thread_not_found, msg_too_long, invalid_arguments.
    Events: message (with `files`), as message_post.
    """
    check_upload(upload)
    access_channel_member(actor, channel)
    check_not_archived(channel)
    attachment = store_file(actor, channel.workspace_id, upload, channel=channel)
    try:
        with transaction.atomic():
            attachment.save()
            message = message_post(
                sender=actor,
                channel=channel,
                text=text,
                thread_ts=thread_ts,
                client_msg_id=client_msg_id,
                attachments=[attachment],
            )
            if not message.attachments.filter(pk=attachment.pk).exists():
                # A retry of an upload that already went through: keep the first, drop this copy.
                attachment.delete()
                transaction.on_commit(lambda: discard_file(attachment))
    except BaseException:
        discard_file(attachment)
        raise
    return message


def file_upload_to_channels(
    *, actor: User, channels: list[Channel], upload: UploadedFile, text: str = "", thread_ts: str | None = None
) -> list[Message]:
    """file_upload in each of several channels (Slack's files.upload `channels`), each with its own copy.

    Every channel is checked before anything is stored, so a refusal in one shares it in none.
    Callers: members of all those channels.
    Raises: as file_upload.
    Events: message (with `files`) in each channel.
    """
    check_upload(upload)
    for channel in channels:
        access_channel_member(actor, channel)
        check_not_archived(channel)
    messages = []
    for channel in channels:
        upload.seek(0)
        messages.append(file_upload(actor=actor, channel=channel, upload=upload, text=text, thread_ts=thread_ts))
    return messages
