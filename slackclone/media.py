"""Public images under MEDIA_ROOT: avatars and workspace icons, in every mode (DEBUG or not).

Only these two folders are public; their files are PNGs this server made itself
(slackclone.images) or an admin uploaded, raster formats only. Uploaded message files are never served from here:
they go through the API, which checks channel membership.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest
from django.utils._os import safe_join
from django.views.decorators.http import require_safe

PUBLIC_MEDIA_DIRS = ("avatars", "workspace-icons")
# Raster formats only: an SVG could carry script, so it is never served from here.
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# Names are random and never reused, so a browser may keep an image for a long time.
CACHE_SECONDS = 7 * 24 * 3600


@require_safe
def public_image(request: HttpRequest, folder: str, name: str) -> FileResponse:
    """One avatar or workspace icon; 404 for anything else (other folders, sub-paths, missing files)."""
    if folder not in PUBLIC_MEDIA_DIRS or "/" in name or name.startswith("."):
        raise Http404("No such image.")
    try:
        path = Path(safe_join(settings.MEDIA_ROOT, folder, name))
    except ValueError:
        raise Http404("No such image.") from None
    content_type, _ = mimetypes.guess_type(path.name)
    if content_type not in IMAGE_TYPES or not path.is_file():
        raise Http404("No such image.")
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}, immutable"
    return response
