"""import_slack_export on deeply nested JSON: a clear error naming the file, never a RecursionError."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from chat.models import Message
from integrations.slack_export.importer import import_slack_export
from integrations.tests.slack_export_fixture import DAY1, build_export, edit_export
from integrations.tests.test_slack_import import counts


@pytest.mark.django_db
@pytest.mark.parametrize("entry", ["users.json", "channels.json", f"launch/{DAY1}.json"])
def test_deeply_nested_json_is_refused_naming_the_file(tmp_path, team, entry):
    export = build_export(tmp_path / "export.zip", member_email=team.member.email)
    nested = edit_export(export, tmp_path / "nested.zip", {entry: b"[" * 100_000 + b"]" * 100_000})
    before = counts()
    with pytest.raises(CommandError, match=rf"{entry} .*nested more than 64 levels deep.*\(invalid_json\)"):
        call_command("import_slack_export", str(nested), workspace=team.workspace.slug, stdout=StringIO())
    assert counts() == before


@pytest.mark.django_db
def test_brackets_inside_strings_do_not_count_toward_the_depth(tmp_path, team):
    """The importer reads through slackclone.jsonlimits; its depth scan is tested there, and linear."""
    export = build_export(tmp_path / "export.zip", member_email=team.member.email)
    import_slack_export(workspace=team.workspace, path=export)
    edited = edit_export(
        export,
        tmp_path / "brackets.zip",
        {
            f"launch/{DAY1}.json": b'[{"type": "message", "user": "U1", "text": "'
            + b"[" * 10_000
            + b'", "ts": "1700000099.000000"}]'
        },
    )
    import_slack_export(workspace=team.workspace, path=edited)
    assert Message.objects.filter(channel__workspace=team.workspace, text="[" * 10_000).count() == 1
