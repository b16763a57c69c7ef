"""Profile pictures and workspace icons: any image people upload becomes a square PNG we made.

The upload is decoded by Pillow (never trusted by its name or declared type), cropped to a
centred square and scaled down, then re-encoded, so what we store and serve is always a plain
PNG with no metadata, whatever came in. Services call this; it raises invalid_file or
file_too_large and writes nothing.
"""

from __future__ import annotations

import io
import secrets
from typing import cast

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from PIL import Image, ImageOps, UnidentifiedImageError

from slackclone.errors import DomainError, ErrorCode

IMAGE_MAX_BYTES = 10 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000  # well under Pillow's bomb limit, and more than any camera
ACCEPTED_FORMATS = frozenset({"PNG", "JPEG", "GIF", "WEBP"})


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_FILE, message, fields={field: "invalid"})


def square_png(upload: UploadedFile, *, size: int, field: str = "image") -> ContentFile:
    """A `size`×`size` PNG (smaller images are not enlarged) under a random name.

    Raises: file_too_large (over IMAGE_MAX_BYTES), invalid_file (not a PNG, JPEG, GIF or WebP image).
    """
    if upload.size is not None and upload.size > IMAGE_MAX_BYTES:
        raise DomainError(
            ErrorCode.FILE_TOO_LARGE,
            f"Images can be at most {IMAGE_MAX_BYTES // (1024 * 1024)} MB.",
            fields={field: "too_large"},
        )
    image: Image.Image  # what Image.open gives, then transposed
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise _invalid("Upload a PNG, JPEG, GIF or WebP image.", field)
            if image.width * image.height > IMAGE_MAX_PIXELS:
                raise _invalid("This image has too many pixels.", field)
            image = ImageOps.exif_transpose(image)
            side = min(image.width, image.height, size)
            square = ImageOps.fit(image.convert("RGBA"), (side, side), method=Image.Resampling.LANCZOS)
            buffer = io.BytesIO()
            square.save(buffer, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise _invalid("This file is not an image we can read; upload a PNG, JPEG, GIF or WebP.", field) from None
    finally:
        upload.seek(0)
    return ContentFile(buffer.getvalue(), name=f"{secrets.token_hex(16)}.png")


def replace_image(field_file: FieldFile, upload: UploadedFile | None, *, size: int, field: str) -> bool:
    """Put a square PNG of `upload` in an image field (None empties it); the model is not saved.

    The old file is deleted only once the caller's transaction commits, so a rollback keeps it.
    Must be called inside a transaction. Returns whether anything changed.
    Raises: as square_png.
    """
    png = square_png(upload, size=size, field=field) if upload is not None else None
    if png is None and not field_file:
        return False
    old_name = field_file.name  # a FieldFile is true when it has a name
    if old_name:
        storage = field_file.storage
        transaction.on_commit(lambda: storage.delete(old_name), robust=True)
    if png is None:
        field_file.name = ""
    else:
        field_file.save(cast(str, png.name), png, save=False)  # square_png names every file it makes
    return True
