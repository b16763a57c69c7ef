"""The installable app: the web app manifest and the service worker, both at the site's root.

The service worker must be served from / to control every page (its scope is the folder it is served from),
and fresh on every check (no-cache), or a fixed client could wait a day for the browser to notice. Its text
is static/sw.js with the client shell's files put before it, by their served names (hashed in production),
and a version made from them: a new deploy changes the bytes, so browsers install the new worker, which
keeps the new files and drops the old.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.views.decorators.http import require_GET

SERVICE_WORKER = Path(settings.BASE_DIR) / "static" / "sw.js"
ICONS = ("img/icon-192.png", "img/icon-512.png")
SHELL_FILES = ("css/base.css", "css/client.css", "img/favicon.svg", *ICONS)
THEME_COLOR = "#4a154b"


def _client_modules() -> list[str]:
    """Every module of the browser client (static/js/client/, its folders included), by static name."""
    root = Path(settings.BASE_DIR) / "static"
    return sorted(path.relative_to(root).as_posix() for path in (root / "js" / "client").rglob("*.js"))


@functools.lru_cache(maxsize=1)
def service_worker_text() -> str:
    assets = [static(name) for name in (*SHELL_FILES, *_client_modules())]
    body = SERVICE_WORKER.read_text()
    version = hashlib.sha256(json.dumps(assets).encode() + body.encode()).hexdigest()[:16]
    shell = {"version": version, "assets": assets, "icon": static(ICONS[0])}
    return f"self.SHELL = {json.dumps(shell)};\n{body}"


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """/sw.js: public (it holds no one's data), JavaScript, and never taken from a cache without asking."""
    if settings.DEBUG:  # the files change while a developer works
        service_worker_text.cache_clear()
    response = HttpResponse(service_worker_text(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """/manifest.webmanifest: how the app looks installed. It starts at the last workspace (the home page)."""
    body = {
        "name": "Slackclone",
        "short_name": "Slackclone",
        "description": "Team chat: channels, direct messages and threads.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [
            {"src": static(name), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any maskable"}
            for name, size in zip(ICONS, (192, 512), strict=True)
        ],
    }
    response = JsonResponse(body, content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response
