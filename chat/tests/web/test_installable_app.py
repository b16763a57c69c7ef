"""The installable app's files: /sw.js (scope /, never cached without asking, the shell's files put before it)
and /manifest.webmanifest with its icons, linked from every page; the client page marks itself as the shell."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from chat.web import pwa
from slackclone.testing.web import web_client

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_from_the_root_fresh_with_the_shell_before_it():
    response = Client().get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"
    text = response.content.decode()
    head, body = text.split("\n", 1)
    shell = json.loads(head.removeprefix("self.SHELL = ").removesuffix(";"))
    assert body == (Path(settings.BASE_DIR) / "static" / "sw.js").read_text()
    assert {"/static/js/client/main.js", "/static/js/client/render/message.js", "/static/css/client.css"} <= set(
        shell["assets"]
    )
    assert shell["icon"] == "/static/img/icon-192.png"
    assert len(shell["version"]) == 16
    assert Client().post("/sw.js").status_code == 405


def test_a_changed_shell_is_a_new_worker(monkeypatch):
    pwa.service_worker_text.cache_clear()
    before = pwa.service_worker_text()
    monkeypatch.setattr(pwa, "SHELL_FILES", (*pwa.SHELL_FILES, "img/logo.svg"))
    pwa.service_worker_text.cache_clear()
    try:
        assert pwa.service_worker_text().split("\n", 1)[0] != before.split("\n", 1)[0]
    finally:
        pwa.service_worker_text.cache_clear()


def test_the_manifest_names_the_app_and_its_icons():
    response = Client().get("/manifest.webmanifest")

    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert (manifest["name"], manifest["start_url"], manifest["display"]) == ("Slackclone", "/", "standalone")
    assert manifest["theme_color"] == pwa.THEME_COLOR
    for icon in manifest["icons"]:
        path = Path(settings.BASE_DIR) / "static" / icon["src"].removeprefix("/static/")
        with Image.open(path) as image:
            assert (image.format, f"{image.width}x{image.height}") == ("PNG", icon["sizes"])
    assert sorted(icon["sizes"] for icon in manifest["icons"]) == ["192x192", "512x512"]


def test_pages_link_the_manifest_and_the_client_page_is_the_shell(team):
    login = Client().get("/accounts/login/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in login
    response = web_client(team.member).get(f"/{team.workspace.slug}/")
    assert response["X-Client-Shell"] == "1"
    assert '<link rel="manifest" href="/manifest.webmanifest">' in response.content.decode()
