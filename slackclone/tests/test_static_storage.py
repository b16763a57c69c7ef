"""Collected static files as production serves them (slackclone.storage): every module of the browser
client is reached by a hashed, forever-cacheable name, so a deploy never mixes old and new modules."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import override_settings

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "slackclone.storage.StaticFilesStorage"},
}
HASHED = re.compile(r"\.[0-9a-f]{12}\.js$")
MODULE_URL = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}/[^"']+)["']""")


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES=PRODUCTION_STORAGES):
        call_command("collectstatic", "--noinput", verbosity=0)
    return root


def test_every_client_module_imports_its_neighbours_by_hashed_name(collected):
    modules = [path for path in (collected / "js" / "client").rglob("*.js") if HASHED.search(path.name)]
    assert any(path.name.startswith("main.") for path in modules)
    imported = [url for path in modules for url in MODULE_URL.findall(path.read_text())]
    assert imported, "the client's modules import one another"
    plain = [url for url in imported if not HASHED.search(url)]
    assert plain == [], f"imported by a name that does not change when the file does: {plain[:5]}"
