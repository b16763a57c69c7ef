"""import_slack_export on hostile archives: zip bombs, too many entries, too many bytes.

Each is refused with a clear error naming the entry, before anything is written, and without
reading more of the archive into memory than the per-entry cap.
"""

from __future__ import annotations

import tracemalloc
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from integrations.slack_export.importer import import_slack_export
from integrations.tests.slack_export_fixture import DAY1, build_export
from integrations.tests.test_slack_import import counts
from slackclone.errors import DomainError, ErrorCode

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024
BOMB_ENTRY = f"general/{DAY1}.json"
BOMB_SIZE = 256 * MiB


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    """The fixture export whose first #general day is 256 MiB of zeros, about 250 KB compressed."""
    folder = tmp_path_factory.mktemp("bomb")
    clean = build_export(folder / "clean.zip", member_email="someone@example.test")
    path = folder / "bomb.zip"
    with zipfile.ZipFile(clean) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name != BOMB_ENTRY:
                target.writestr(name, source.read(name))
        with target.open(BOMB_ENTRY, "w") as stream:
            zeros = bytes(MiB)
            for _ in range(BOMB_SIZE // MiB):
                stream.write(zeros)
    assert path.stat().st_size < MiB
    return path


@pytest.fixture(scope="module")
def lying_bomb(bomb, tmp_path_factory):
    """The same bomb, whose central directory says the entry is 1,000 bytes uncompressed."""
    data = bytearray(bomb.read_bytes())
    name = BOMB_ENTRY.encode()
    record = data.find(b"PK\x01\x02")
    while data[record + 46 : record + 46 + len(name)] != name:
        record = data.find(b"PK\x01\x02", record + 1)
    data[record + 24 : record + 28] = (1000).to_bytes(4, "little")
    path = tmp_path_factory.mktemp("lying") / "lying.zip"
    path.write_bytes(bytes(data))
    assert zipfile.ZipFile(path).getinfo(BOMB_ENTRY).file_size == 1000
    return path


def peak_memory_of(call) -> tuple[BaseException | None, int]:
    """What `call` raised, and the most memory Python held meanwhile above what it held before."""
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        try:
            call()
            raised = None
        except Exception as error:
            raised = error
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return raised, peak - base


@pytest.mark.parametrize(
    ("archive", "limits", "refusal"),
    [
        ("bomb", {}, "refused"),
        ("bomb", {"IMPORT_ENTRY_MAX_BYTES": 4 * MiB, "IMPORT_MAX_COMPRESSION_RATIO": 10_000}, "larger than 4194304"),
        ("lying_bomb", {}, "cannot be read from the zip (Bad CRC-32"),
    ],
    ids=["defaults", "entry-cap", "lying-header"],
)
def test_a_zip_bomb_is_refused_naming_the_entry_without_reading_it_into_memory(
    request, team, settings, archive, limits, refusal
):
    path = request.getfixturevalue(archive)
    for name, value in limits.items():
        setattr(settings, name, value)
    before = counts()
    error, peak = peak_memory_of(lambda: import_slack_export(workspace=team.workspace, path=path))
    assert isinstance(error, DomainError), error
    assert error.code == ErrorCode.INVALID_EXPORT
    assert BOMB_ENTRY in error.message
    assert refusal in error.message
    assert peak < settings.IMPORT_ENTRY_MAX_BYTES + 8 * MiB, f"{peak / MiB:.0f} MiB held"
    assert counts() == before


def test_an_archive_over_the_total_or_entry_count_caps_is_refused_before_anything_is_written(tmp_path, team):
    export = build_export(tmp_path / "export.zip", member_email=team.member.email)
    before = counts()
    with override_settings(IMPORT_TOTAL_MAX_BYTES=20_000), pytest.raises(DomainError, match="IMPORT_TOTAL_MAX_BYTES"):
        import_slack_export(workspace=team.workspace, path=export)
    with (
        override_settings(IMPORT_MAX_ENTRIES=5),
        pytest.raises(CommandError, match=r"IMPORT_MAX_ENTRIES.*invalid_export"),
    ):
        call_command("import_slack_export", str(export), workspace=team.workspace.slug, stdout=StringIO())
    assert counts() == before
