"""import_slack_export on deeply nested JSON: a clear error naming the file, never a RecursionError."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from integrations.slack_export.reader import json_depth
from integrations.tests.slack_export_fixture import DAY1, build_export, edit_export
from integrations.tests.test_slack_import import counts


@pytest.mark.django_db
@pytest.mark.parametrize("entry", ["users.json", "channels.json", f"launch/{DAY1}.json"])
def test_deeply_nested_json_is_refused_naming_the_file(tmp_path, team, entry):
    export = build_export(tmp_path / "export.zip", member_email=team.member.email)
    nested = edit_export(export, tmp_path / "nested.zip", {entry: b"[" * 100_000 + b"]" * 100_000})
    before = counts()
    with pytest.raises(CommandError, match=rf"{entry} .*nested deeper than .*\(invalid_json\)"):
        call_command("import_slack_export", str(nested), workspace=team.workspace.slug, stdout=StringIO())
    assert counts() == before


@pytest.mark.parametrize(
    ("raw", "depth"),
    [
        (b"[]", 1),
        (b'{"a": [{"b": {}}], "c": []}', 4),
        (b'[{"text": "[[[{{{ not structure ]]"}]', 2),
        (b'[{"text": "a \\"quoted [[[\\" \\\\"}, ["x"]]', 2),
        (b'"just a string with [ and {"', 0),
    ],
)
def test_json_depth_counts_brackets_outside_strings_only(raw, depth):
    assert json_depth(raw) == depth


@pytest.mark.parametrize(
    "raw",
    [b'"' + b'\\"' * 20_000, b'"\\' * 20_000, b"[" * 40_000, b'["' * 20_000, b'\\"' * 20_000],
    ids=["escaped-quotes", "quote-backslash", "brackets", "open-strings", "escapes"],
)
def test_json_depth_is_linear_on_adversarial_input(raw):
    started = time.perf_counter()
    json_depth(raw)
    assert time.perf_counter() - started < 0.05
