"""Images made in memory for tests of uploads: stills in each accepted format, and animated GIFs."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw


def image_bytes(size: tuple[int, int] = (300, 200), *, format: str = "PNG", colour: str = "red") -> bytes:
    """A still image: a coloured disc on a transparent (or white, for JPEG) background."""
    mode = "RGB" if format == "JPEG" else "RGBA"
    image = Image.new(mode, size, (255, 255, 255) if mode == "RGB" else (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((0, 0, size[0] - 1, size[1] - 1), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format=format)
    return buffer.getvalue()


def animated_gif_bytes(frames: int = 4, size: tuple[int, int] = (200, 200), *, duration: int = 80) -> bytes:
    """An animated GIF of a disc whose colour changes and whose white spot moves from frame to frame (no
    two frames alike, so none is merged into the one before), looping for ever."""
    pictures = []
    width, height = size
    for index in range(frames):
        picture = Image.new("RGBA", size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(picture)
        draw.ellipse((0, 0, width - 1, height - 1), fill=(40 + index % 200, (index * 7) % 256, 220, 255))
        spot = (index * width // max(frames, 1)) % width
        draw.ellipse((spot, height // 3, spot + width // 5, height // 3 + height // 5), fill="white")
        pictures.append(picture)
    buffer = io.BytesIO()
    pictures[0].save(buffer, format="GIF", save_all=True, append_images=pictures[1:], duration=duration, loop=0)
    return buffer.getvalue()


def upload(data: bytes, name: str = "emoji.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)
