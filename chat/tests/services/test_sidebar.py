"""Sidebar sections: each person's own, their channels placed in them, collapsed, sorted; the Unreads setting;
the layout's revision, which orders the layouts a person's tabs hear."""

import json

import pytest

from chat.models import SidebarPrefs, SidebarSection
from chat.selectors import sidebar as sidebar_selectors
from chat.selectors import sidebar_layout
from chat.services import (
    channel_create,
    channel_leave,
    dm_open,
    sidebar_channel_move,
    sidebar_section_create,
    sidebar_section_delete,
    sidebar_section_update,
    sidebar_set_show_unreads,
)
from chat.services.sidebar import MAX_SECTIONS
from realtime import transport
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused
from workspaces.models import Workspace
from workspaces.services import member_deactivate

pytestmark = pytest.mark.django_db


def _layout(team, user=None) -> dict:
    return sidebar_layout(user=user or team.member, workspace=team.workspace)


def _sections(team, user=None) -> dict[str, dict]:
    return {section["id"]: section for section in _layout(team, user)["sections"]}


def test_a_new_sidebar_has_the_two_default_sections_and_no_unreads(team):
    layout = _layout(team)
    assert layout["show_unreads"] is False
    assert layout["revision"] == 0
    assert [(s["id"], s["type"], s["collapsed"], s["sort"], s["channel_ids"]) for s in layout["sections"]] == [
        ("channels", "channels", False, "manual", []),
        ("direct_messages", "direct_messages", False, "manual", []),
    ]


def test_sections_are_created_in_order_above_the_default_ones_and_are_their_makers_alone(team):
    first = sidebar_section_create(actor=team.member, workspace=team.workspace, name="  Projects ")
    second = sidebar_section_create(actor=team.member, workspace=team.workspace, name="Friends")
    layout = _layout(team)
    assert [s["name"] for s in layout["sections"]] == ["Projects", "Friends", "Channels", "Direct messages"]
    assert [s["id"] for s in layout["sections"][:2]] == [first.public_id, second.public_id]
    assert first.public_id.startswith("L")
    assert [s["id"] for s in _layout(team, team.other_member)["sections"]] == ["channels", "direct_messages"]


@pytest.mark.parametrize(
    ("name", "field"),
    [("", "required"), ("   ", "required"), ("x" * 81, "too_long"), ("a\x00b", "invalid"), ("a\u200eb", "invalid")],
)
def test_a_bad_name_is_invalid_name_and_writes_nothing(team, name, field):
    with refused(ErrorCode.INVALID_NAME) as error:
        sidebar_section_create(actor=team.member, workspace=team.workspace, name=name)
    assert error.value.fields == {"name": field}


def test_names_are_unique_per_person_regardless_of_case(team):
    section = sidebar_section_create(actor=team.member, workspace=team.workspace, name="Projects")
    with refused(ErrorCode.NAME_TAKEN):
        sidebar_section_create(actor=team.member, workspace=team.workspace, name="PROJECTS")
    other = sidebar_section_create(actor=team.member, workspace=team.workspace, name="Other")
    with refused(ErrorCode.NAME_TAKEN):
        sidebar_section_update(actor=team.member, workspace=team.workspace, section_id=other.public_id, name="projects")
    sidebar_section_create(actor=team.other_member, workspace=team.workspace, name="Projects")  # someone else's
    renamed = sidebar_section_update(
        actor=team.member, workspace=team.workspace, section_id=section.public_id, name="projects"
    )
    assert renamed.name == "projects"


def test_a_person_has_at_most_fifty_sections(team):
    for index in range(MAX_SECTIONS):
        sidebar_section_create(actor=team.member, workspace=team.workspace, name=f"Section {index}")
    with refused(ErrorCode.TOO_MANY_SECTIONS):
        sidebar_section_create(actor=team.member, workspace=team.workspace, name="One more")


def test_channels_and_dms_move_between_sections_at_a_position(team):
    work = sidebar_section_create(actor=team.member, workspace=team.workspace, name="Work")
    dm, _ = dm_open(actor=team.member, users=[team.owner], workspace=team.workspace)
    mine = channel_create(actor=team.member, workspace=team.workspace, name="mine")
    sidebar_channel_move(
        actor=team.member, workspace=team.workspace, channel_id=mine.public_id, section_id=work.public_id
    )
    sidebar_channel_move(
        actor=team.member, workspace=team.workspace, channel_id=dm.public_id, section_id=work.public_id
    )
    sidebar_channel_move(
        actor=team.member,
        workspace=team.workspace,
        channel_id=team.general.public_id,
        section_id=work.public_id,
        position=1,
    )
    assert _sections(team)[work.public_id]["channel_ids"] == [mine.public_id, team.general.public_id, dm.public_id]
    sidebar_channel_move(
        actor=team.member, workspace=team.workspace, channel_id=dm.public_id, section_id=work.public_id, position=0
    )
    assert _sections(team)[work.public_id]["channel_ids"] == [dm.public_id, mine.public_id, team.general.public_id]
    sidebar_channel_move(
        actor=team.member, workspace=team.workspace, channel_id=dm.public_id, section_id="channels", position=99
    )
    sections = _sections(team)
    assert sections[work.public_id]["channel_ids"] == [mine.public_id, team.general.public_id]
    assert sections["channels"]["channel_ids"] == [dm.public_id]


def test_deleting_a_section_sends_its_channels_back_to_their_default_sections(team):
    work = sidebar_section_create(actor=team.member, workspace=team.workspace, name="Work")
    sidebar_channel_move(
        actor=team.member, workspace=team.workspace, channel_id=team.general.public_id, section_id=work.public_id
    )
    sidebar_section_delete(actor=team.member, workspace=team.workspace, section_id=work.public_id)
    assert [s["channel_ids"] for s in _layout(team)["sections"]] == [[], []]
    assert not SidebarSection.objects.filter(public_id=work.public_id).exists()


def test_the_default_sections_collapse_and_sort_but_keep_their_names_and_stay(team):
    sidebar_section_update(actor=team.member, workspace=team.workspace, section_id="channels", collapsed=True)
    sidebar_section_update(actor=team.member, workspace=team.workspace, section_id="direct_messages", sort="activity")
    sections = _sections(team)
    assert (sections["channels"]["collapsed"], sections["channels"]["sort"]) == (True, "manual")
    assert (sections["direct_messages"]["collapsed"], sections["direct_messages"]["sort"]) == (False, "activity")
    with refused(ErrorCode.CANT_CHANGE_DEFAULT_SECTION):
        sidebar_section_update(actor=team.member, workspace=team.workspace, section_id="channels", name="Mine")
    with refused(ErrorCode.CANT_CHANGE_DEFAULT_SECTION):
        sidebar_section_delete(actor=team.member, workspace=team.workspace, section_id="channels")


@pytest.mark.parametrize(
    ("changes", "field"),
    [({}, "name"), ({"collapsed": "yes"}, "collapsed"), ({"sort": "size"}, "sort"), ({"collapsed": 1}, "collapsed")],
)
def test_bad_section_changes_are_invalid_arguments(team, changes, field):
    work = sidebar_section_create(actor=team.member, workspace=team.workspace, name="Work")
    with refused(ErrorCode.INVALID_ARGUMENTS) as error:
        sidebar_section_update(actor=team.member, workspace=team.workspace, section_id=work.public_id, **changes)
    assert field in error.value.fields


def test_someone_elses_section_does_not_exist_for_you(team):
    theirs = sidebar_section_create(actor=team.other_member, workspace=team.workspace, name="Theirs")
    with refused(ErrorCode.SECTION_NOT_FOUND):
        sidebar_section_update(actor=team.member, workspace=team.workspace, section_id=theirs.public_id, collapsed=True)
    with refused(ErrorCode.SECTION_NOT_FOUND):
        sidebar_section_delete(actor=team.member, workspace=team.workspace, section_id=theirs.public_id)
    with refused(ErrorCode.SECTION_NOT_FOUND):
        sidebar_channel_move(
            actor=team.member,
            workspace=team.workspace,
            channel_id=team.general.public_id,
            section_id=theirs.public_id,
        )


def test_only_channels_you_are_in_can_be_placed(team, outsider):
    secret = channel_create(actor=team.owner, workspace=team.workspace, name="secret", is_private=True)
    elsewhere = channel_create(
        actor=outsider, workspace=Workspace.objects.exclude(pk=team.workspace.pk).get(), name="elsewhere"
    )
    for channel in (secret, team.random, elsewhere):  # private, public not joined, another workspace's
        with refused(ErrorCode.CHANNEL_NOT_FOUND):
            sidebar_channel_move(
                actor=team.member, workspace=team.workspace, channel_id=channel.public_id, section_id="channels"
            )


def test_a_guest_keeps_a_sidebar_of_their_own_but_places_only_their_channels(team):
    section = sidebar_section_create(actor=team.guest, workspace=team.workspace, name="Mine")
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        sidebar_channel_move(
            actor=team.guest, workspace=team.workspace, channel_id=team.general.public_id, section_id=section.public_id
        )


def test_someone_outside_the_workspace_has_no_sidebar_there(team, outsider):
    with refused(ErrorCode.WORKSPACE_NOT_FOUND):
        sidebar_section_create(actor=outsider, workspace=team.workspace, name="Sneaky")


def test_a_deactivated_member_cannot_change_their_sidebar(team):
    member_deactivate(actor=team.owner, workspace=team.workspace, user=team.member)
    with refused(ErrorCode.ACCOUNT_INACTIVE):
        sidebar_set_show_unreads(actor=team.member, workspace=team.workspace, show_unreads=True)


def test_a_channel_left_leaves_the_layout_and_comes_back_to_its_section(team):
    work = sidebar_section_create(actor=team.owner, workspace=team.workspace, name="Work")
    sidebar_channel_move(
        actor=team.owner, workspace=team.workspace, channel_id=team.random.public_id, section_id=work.public_id
    )
    channel_leave(actor=team.owner, channel=team.random)
    assert _sections(team, team.owner)[work.public_id]["channel_ids"] == []


def test_show_unreads_is_a_setting_of_ones_own(team):
    sidebar_set_show_unreads(actor=team.member, workspace=team.workspace, show_unreads=True)
    assert _layout(team)["show_unreads"] is True
    assert _layout(team, team.other_member)["show_unreads"] is False
    with refused(ErrorCode.INVALID_ARGUMENTS):
        sidebar_set_show_unreads(actor=team.member, workspace=team.workspace, show_unreads="yes")


def test_the_persons_other_tabs_hear_the_new_layout_and_nobody_hears_of_no_change(
    team, layer_listener, django_capture_on_commit_callbacks
):
    listener = layer_listener(transport.user_group(team.member))
    other = layer_listener(transport.user_group(team.other_member))
    with django_capture_on_commit_callbacks(execute=True):
        section = sidebar_section_create(actor=team.member, workspace=team.workspace, name="Work")
    event = listener.receive_event()
    assert event["type"] == "sidebar_changed"
    assert event["workspace"] == team.workspace.public_id
    assert [s["id"] for s in event["sidebar"]["sections"]] == [section.public_id, "channels", "direct_messages"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sidebar_section_update(actor=team.member, workspace=team.workspace, section_id=section.public_id, name="Work")
        sidebar_set_show_unreads(actor=team.member, workspace=team.workspace, show_unreads=False)
    assert callbacks == []
    assert other.drain() == []


def _revision(team, user=None) -> int:
    return _layout(team, user)["revision"]


def test_every_change_bumps_the_revision_by_one_and_nothing_else_does(team, outsider):
    steps = [
        lambda: sidebar_section_create(actor=team.member, workspace=team.workspace, name="Work"),
        lambda: sidebar_section_update(actor=team.member, workspace=team.workspace, section_id="channels", sort="name"),
        lambda: sidebar_channel_move(
            actor=team.member, workspace=team.workspace, channel_id=team.general.public_id, section_id="channels"
        ),
        lambda: sidebar_set_show_unreads(actor=team.member, workspace=team.workspace, show_unreads=True),
    ]
    for expected, step in enumerate(steps, start=1):
        step()
        assert _revision(team) == expected
    work = SidebarSection.objects.get(user=team.member, name="Work")
    # No change: the same name, state, sort or setting again; a refused change.
    sidebar_section_update(actor=team.member, workspace=team.workspace, section_id=work.public_id, name="Work")
    sidebar_section_update(actor=team.member, workspace=team.workspace, section_id="channels", sort="name")
    assert sidebar_set_show_unreads(actor=team.member, workspace=team.workspace, show_unreads=True).revision == 4
    with refused(ErrorCode.NAME_TAKEN):
        sidebar_section_create(actor=team.member, workspace=team.workspace, name="work")
    assert _revision(team) == 4
    sidebar_section_delete(actor=team.member, workspace=team.workspace, section_id=work.public_id)
    assert _revision(team) == 5
    # The revision is the person's own, in that workspace.
    assert _revision(team, team.other_member) == 0
    assert SidebarPrefs.objects.get(user=team.member).workspace == team.workspace


def test_each_event_carries_the_revision_and_layout_of_its_own_commit(
    team, layer_listener, django_capture_on_commit_callbacks
):
    listener = layer_listener(transport.user_group(team.member))
    with django_capture_on_commit_callbacks(execute=True):
        work = sidebar_section_create(actor=team.member, workspace=team.workspace, name="Work")
    with django_capture_on_commit_callbacks(execute=True):
        sidebar_channel_move(
            actor=team.member, workspace=team.workspace, channel_id=team.general.public_id, section_id=work.public_id
        )
    first, second = listener.receive(), listener.receive()
    assert [first["workspace"], second["workspace"]] == [team.workspace.public_id] * 2
    first, second = json.loads(first["payload"]), json.loads(second["payload"])
    assert first["sidebar"]["revision"] == 1
    assert first["sidebar"]["sections"][0]["channel_ids"] == []
    assert second["sidebar"] == _layout(team)
    assert second["sidebar"]["revision"] == 2
    assert second["sidebar"]["sections"][0]["channel_ids"] == [team.general.public_id]


def _changing_between_reads(monkeypatch, change, *, times: int) -> list[int]:
    """Make the layout's reads see `change` commit after the revision was read, the first `times` times.

    The change's own event reads the layout too: that read, inside the change, goes straight through.
    Returns the list the outer reads are counted in.
    """
    read = sidebar_selectors._read_layout
    outer: list[int] = []
    inside = []

    def read_after_a_change(user, workspace):
        if inside or len(outer) >= times:
            return read(user, workspace)
        outer.append(1)
        inside.append(1)
        try:
            change()
        finally:
            inside.clear()
        return read(user, workspace)

    monkeypatch.setattr(sidebar_selectors, "_read_layout", read_after_a_change)
    return outer


def test_a_change_committed_between_a_layouts_queries_makes_it_read_again(team, monkeypatch):
    """Read outside the lock, a layout whose revision moved during its queries is read again."""
    sidebar_section_create(actor=team.member, workspace=team.workspace, name="Work")
    outer = _changing_between_reads(
        monkeypatch,
        lambda: sidebar_section_create(actor=team.member, workspace=team.workspace, name="Meanwhile"),
        times=1,
    )
    layout = _layout(team)
    assert len(outer) == 1
    assert layout["revision"] == 2
    assert [s["name"] for s in layout["sections"]][:2] == ["Work", "Meanwhile"]


def test_a_layout_that_keeps_changing_while_read_claims_no_newer_revision_than_it_shows(team, monkeypatch):
    """A label too new would make a tab ignore the layout of that very revision: the first one read is kept."""
    names = iter(f"Section {index}" for index in range(10))
    _changing_between_reads(
        monkeypatch,
        lambda: sidebar_section_create(actor=team.member, workspace=team.workspace, name=next(names)),
        times=sidebar_selectors._READ_ATTEMPTS,
    )
    layout = _layout(team)
    attempts = sidebar_selectors._READ_ATTEMPTS
    assert len([s for s in layout["sections"] if s["type"] == "standard"]) == attempts
    assert layout["revision"] == attempts - 1  # what was read before the last change, not after it
