"""Sidebar sections: each person's own, their channels placed in them, collapsed, sorted; the Unreads setting."""

import pytest

from chat.models import SidebarSection
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
