"""Profile pictures, workspace icons and custom emoji: any image people upload becomes one we made.

The upload is decoded by Pillow (never trusted by its name or declared type), scaled down (a
picture or icon cropped to a centred square first) and re-encoded, so what we store and serve is
always a plain PNG (or, for an animated emoji, a GIF) with no metadata, whatever came in.
Services call this; it raises invalid_file or file_too_large and writes nothing.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from typing import cast

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

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
            "Images can be at most %(value)s MB.",
            fields={field: "too_large"},
            params={"value": IMAGE_MAX_BYTES // (1024 * 1024)},
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


# Custom emoji (chat.services.emoji). Every bound is checked before the work it limits: the byte size
# before a byte is read, the pixel count before a frame is decoded, the frames as they are counted.
EMOJI_SIZE = 128
EMOJI_MAX_BYTES = 2 * 1024 * 1024
EMOJI_MAX_PIXELS = 16_000_000  # per frame: a 4,000 × 4,000 picture
EMOJI_MAX_FRAMES = 300
EMOJI_MAX_TOTAL_PIXELS = 200_000_000  # every frame of an animation together, decoded
EMOJI_ANIMATED_MAX_BYTES = 1024 * 1024  # an animated GIF as we made it
GIF_DEFAULT_FRAME_MS = 100


@dataclass(frozen=True)
class EmojiImage:
    """An emoji's image as we store it: a PNG, or an animated GIF, at most EMOJI_SIZE on each side."""

    content: ContentFile
    content_type: str  # "image/png" or "image/gif"


def _too_large(message: str) -> DomainError:
    return DomainError(ErrorCode.FILE_TOO_LARGE, message, fields={"image": "too_large"})


def emoji_image(upload: UploadedFile) -> EmojiImage:
    """The upload scaled to fit EMOJI_SIZE × EMOJI_SIZE (never enlarged, proportions kept), re-encoded.

    An animated GIF stays animated (each frame scaled, its timing and looping kept); any other image,
    an animated WebP or PNG included, becomes a PNG of its first frame.
    Raises: file_too_large (over EMOJI_MAX_BYTES, or an animation still over EMOJI_ANIMATED_MAX_BYTES
    once scaled), invalid_file (not a PNG, JPEG, GIF or WebP image; too many pixels or frames).
    """
    if upload.size is None or upload.size > EMOJI_MAX_BYTES:
        raise _too_large(f"Emoji images can be at most {EMOJI_MAX_BYTES // (1024 * 1024)} MB.")
    if upload.size == 0:
        raise _invalid("The file is empty.", "image")
    image: Image.Image
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise _invalid("Upload a PNG, JPEG, GIF or WebP image.", "image")
            if image.width * image.height > EMOJI_MAX_PIXELS:
                raise _invalid("This image has too many pixels for an emoji.", "image")
            if image.format == "GIF" and getattr(image, "is_animated", False):
                made = EmojiImage(_animated_gif(image), "image/gif")
            else:
                made = EmojiImage(_still_png(image), "image/png")
    except (UnidentifiedImageError, OSError, ValueError, EOFError, Image.DecompressionBombError):
        raise _invalid("This file is not an image we can read; upload a PNG, JPEG, GIF or WebP.", "image") from None
    finally:
        upload.seek(0)
    return made


def _still_png(image: Image.Image) -> ContentFile:
    if image.format == "JPEG":
        image.draft("RGB", (EMOJI_SIZE, EMOJI_SIZE))  # decode at the smallest scale that still covers 128 px
    frame = ImageOps.exif_transpose(image).convert("RGBA")
    frame.thumbnail((EMOJI_SIZE, EMOJI_SIZE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    frame.save(buffer, format="PNG", optimize=True)
    return ContentFile(buffer.getvalue(), name=f"{secrets.token_hex(16)}.png")


def _animated_gif(image: Image.Image) -> ContentFile:
    """Each frame of a GIF scaled down, decoded one at a time under the frame and pixel budgets."""
    frame_pixels = max(1, image.width * image.height)
    max_frames = min(EMOJI_MAX_FRAMES, EMOJI_MAX_TOTAL_PIXELS // frame_pixels)
    frames: list[Image.Image] = []
    durations: list[int] = []
    for index, frame in enumerate(ImageSequence.Iterator(image)):
        if index >= max_frames:
            raise _invalid(f"This animation has too many frames for an emoji (at most {max_frames} here).", "image")
        scaled = frame.convert("RGBA")
        scaled.thumbnail((EMOJI_SIZE, EMOJI_SIZE), Image.Resampling.LANCZOS)
        frames.append(scaled)
        durations.append(int(frame.info.get("duration") or GIF_DEFAULT_FRAME_MS))
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=int(image.info.get("loop", 0)),
        disposal=2,
    )
    if buffer.tell() > EMOJI_ANIMATED_MAX_BYTES:
        raise _too_large(
            f"This animation is still over {EMOJI_ANIMATED_MAX_BYTES // 1024} KB at {EMOJI_SIZE} pixels; "
            "use fewer frames or colours."
        )
    return ContentFile(buffer.getvalue(), name=f"{secrets.token_hex(16)}.gif")
