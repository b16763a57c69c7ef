"""import_slack_export checks every file's shape before writing anything, and names what is wrong."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from chat.models import ChannelMember, Message
from integrations.slack_export.importer import import_slack_export
from integrations.tests.slack_export_fixture import DAY1, DAY2, build_export, edit_export
from integrations.tests.test_slack_import import counts

pytestmark = pytest.mark.django_db


def _set(path: tuple, value):
    """A change for edit_export: the element at `path` (indexes and keys) of the entry's JSON set to `value`."""

    def change(data):
        target = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        return data

    return change


MALFORMED = [
    (
        "channels.json",
        _set((1, "members"), "U1"),
        "channels.json[1].members: expected a list of user ids, got a string",
    ),
    ("users.json", _set((0, "profile"), "mia"), "users.json[0].profile: expected an object, got a string"),
    ("users.json", _set((2, "id"), 3), "users.json[2].id: expected a user id such as U0123ABCD, got a number"),
    (
        "users.json",
        _set((1, "profile", "email"), ["a@b.c"]),
        "users.json[1].profile.email: expected a string, got a list",
    ),
    ("users.json", _set((3, "is_bot"), "yes"), "users.json[3].is_bot: expected true or false, got a string"),
    ("groups.json", {"id": "G1"}, "groups.json: expected a list of objects, got an object"),
    (
        "dms.json",
        _set((0, "members", 1), "bob"),
        "dms.json[0].members[1]: expected a user id such as U0123ABCD, got 'bob'",
    ),
    ("mpims.json", _set((0, "id"), None), "mpims.json[0].id: expected a conversation id such as C0123ABCD, got null"),
    (
        "channels.json",
        [{"name": "general"}],
        "channels.json[0].id: expected a conversation id such as C0123ABCD, got nothing",
    ),
    ("channels.json", _set((1, "topic"), ["Ship it"]), "channels.json[1].topic: expected a string or an object"),
    (f"launch/{DAY1}.json", _set((0, "ts"), 1700000010), f"launch/{DAY1}.json[0].ts: expected a Slack timestamp"),
    (f"general/{DAY2}.json", _set((1,), "hello"), f"general/{DAY2}.json[1]: expected an object, got a string"),
    (
        f"general/{DAY1}.json",
        _set((0, "reactions", 0, "users"), [["U1"]]),
        "[0].reactions[0].users[0]: expected a user id",
    ),
    (
        f"general/{DAY1}.json",
        _set((2, "thread_ts"), ["x"]),
        f"general/{DAY1}.json[2].thread_ts: expected a Slack timestamp",
    ),
    (f"general/{DAY2}.json", _set((0, "edited", "ts"), "later"), f"general/{DAY2}.json[0].edited.ts: expected a Slack"),
    (
        f"secret/{DAY1}.json",
        _set((0, "text"), {"t": 1}),
        f"secret/{DAY1}.json[0].text: expected a string, got an object",
    ),
    (f"D1/{DAY1}.json", b'[{"ts": "1700000040.000000",', f"D1/{DAY1}.json is not valid JSON"),
]


@pytest.mark.parametrize(("entry", "change", "message"), MALFORMED, ids=[case[2][:50] for case in MALFORMED])
def test_a_malformed_file_is_refused_with_its_name_and_what_is_wrong_writing_nothing(
    tmp_path, team, entry, change, message
):
    export = build_export(tmp_path / "export.zip", member_email=team.member.email)
    broken = edit_export(export, tmp_path / "broken.zip", {entry: change})
    before = counts()
    with pytest.raises(CommandError) as refused:
        call_command("import_slack_export", str(broken), workspace=team.workspace.slug, stdout=StringIO())
    assert message in str(refused.value)
    assert str(refused.value).endswith(("(invalid_export)", "(invalid_json)"))
    assert counts() == before


def snapshot(workspace) -> tuple:
    """What an import made, by names, emails and Slack ts (ids and keys differ from run to run)."""
    messages = Message.objects.filter(channel__workspace=workspace)
    members = ChannelMember.objects.filter(channel__workspace=workspace)
    return (
        counts(),
        sorted(
            messages.values_list("channel__name", "seq", "ts", "author__email", "reply_count", "thread_root__ts"),
            key=repr,
        ),
        sorted(members.values_list("channel__name", "channel__kind", "user__email", "last_read_seq"), key=repr),
    )


def test_a_malformed_day_file_of_the_second_channel_writes_nothing_and_the_fixed_export_imports_as_a_clean_one(
    tmp_path, team
):
    export = build_export(tmp_path / "export.zip", member_email=team.member.email)
    with transaction.atomic():
        import_slack_export(workspace=team.workspace, path=export)
        clean = snapshot(team.workspace)
        transaction.set_rollback(True)
    before = counts()
    broken = edit_export(export, tmp_path / "broken.zip", {f"launch/{DAY1}.json": _set((0, "edited"), {"ts": "x"})})
    with pytest.raises(CommandError, match=rf"launch/{DAY1}\.json\[0\]\.edited\.ts: expected a Slack timestamp"):
        call_command("import_slack_export", str(broken), workspace=team.workspace.slug, stdout=StringIO())
    assert counts() == before
    out = StringIO()
    call_command("import_slack_export", str(export), workspace=team.workspace.slug, stdout=out)
    assert "Imported into" in out.getvalue()
    assert snapshot(team.workspace) == clean
