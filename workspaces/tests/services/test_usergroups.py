"""User groups: who may create and change them, the rules for handles, names, channels and people, and events."""

import pytest

from chat.models import ChannelMember
from chat.services import channel_archive, channel_create
from realtime.transport import workspace_group
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused
from slackclone.testing.factories import UserFactory, add_member, workspace_with_owner
from workspaces.models import UserGroup
from workspaces.selectors import usergroup_get, usergroup_user_ids, usergroups_list
from workspaces.services import (
    member_deactivate,
    usergroup_create,
    usergroup_set_enabled,
    usergroup_set_users,
    usergroup_update,
    workspace_set_usergroups_by_members,
)

pytestmark = pytest.mark.django_db


def design(team, actor=None, **changes):
    arguments = {"name": "Design Team", "handle": "design-team", "description": "Pixels and words"}
    return usergroup_create(actor=actor or team.admin, workspace=team.workspace, **{**arguments, **changes})


def members_of(group) -> list[str]:
    return usergroup_user_ids(groups=[group])[group.pk]


# --- Creating -------------------------------------------------------------------------------


def test_an_admin_creates_a_group_with_handle_name_description_channels_and_people(team):
    group = design(team, channels=[team.general.public_id], users=[team.member.public_id, team.owner.public_id])

    stored = UserGroup.objects.get(pk=group.pk)
    assert (stored.handle, stored.name, stored.description) == ("design-team", "Design Team", "Pixels and words")
    assert stored.public_id.startswith("S")
    assert stored.default_channels == [team.general.public_id]
    assert stored.created_by == team.admin
    assert stored.is_enabled
    assert members_of(group) == sorted([team.member.public_id, team.owner.public_id])


def test_a_leading_at_sign_is_forgiven_in_a_handle(team):
    assert design(team, handle=" @design-team ").handle == "design-team"


def test_a_member_may_not_create_a_group_unless_the_workspace_allows_it(team):
    with refused(ErrorCode.RESTRICTED_ACTION):
        design(team, actor=team.member)

    workspace_set_usergroups_by_members(actor=team.owner, workspace=team.workspace, allowed=True)

    assert design(team, actor=team.member).created_by == team.member


def test_a_guest_never_creates_a_group_even_where_members_may(team):
    workspace_set_usergroups_by_members(actor=team.owner, workspace=team.workspace, allowed=True)

    with refused(ErrorCode.RESTRICTED_ACTION):
        design(team, actor=team.guest)


def test_only_owners_and_admins_choose_whether_members_manage_groups(team):
    with refused(ErrorCode.RESTRICTED_ACTION):
        workspace_set_usergroups_by_members(actor=team.member, workspace=team.workspace, allowed=True)


def test_someone_outside_the_workspace_cannot_create_a_group_there(team, outsider):
    with refused(ErrorCode.WORKSPACE_NOT_FOUND):
        design(team, actor=outsider)


@pytest.mark.parametrize(
    ("handle", "problem"),
    [
        ("", "required"),
        ("Design", "invalid_characters"),
        ("design team", "invalid_characters"),
        ("design.", "invalid_characters"),
        ("-design", "invalid_characters"),
        ("d" * 22, "too_long"),
        ("here", "reserved"),
        ("channel", "reserved"),
    ],
)
def test_an_invalid_handle_is_refused_with_what_is_wrong(team, handle, problem):
    with refused(ErrorCode.INVALID_HANDLE) as info:
        design(team, handle=handle)
    assert info.value.fields == {"handle": problem}


def test_a_handle_that_is_a_persons_name_is_refused(team):
    person = add_member(team.workspace, UserFactory(email="dana@example.test", display_name="Dana D"))

    with refused(ErrorCode.HANDLE_ALREADY_EXISTS) as info:
        design(team, handle="dana")
    assert info.value.fields == {"handle": "person"}
    assert "someone's name" in info.value.message
    assert person.email.startswith("dana@")


def test_a_handle_that_is_a_persons_display_name_is_refused(team):
    add_member(team.workspace, UserFactory(display_name="pixelqueen"))

    with refused(ErrorCode.HANDLE_ALREADY_EXISTS):
        design(team, handle="pixelqueen")


def test_a_persons_name_in_another_workspace_does_not_take_the_handle(team):
    add_member(workspace_with_owner(), UserFactory(email="dana@example.test"))

    assert design(team, handle="dana").handle == "dana"


def test_a_taken_handle_or_name_is_refused(team):
    design(team)

    with refused(ErrorCode.HANDLE_ALREADY_EXISTS) as info:
        design(team, name="Other")
    assert info.value.fields == {"handle": "group"}
    with refused(ErrorCode.NAME_ALREADY_EXISTS):
        design(team, handle="other", name="design team")


def test_a_disabled_group_keeps_its_handle(team):
    usergroup_set_enabled(actor=team.admin, group=design(team), enabled=False)

    with refused(ErrorCode.HANDLE_ALREADY_EXISTS):
        design(team, name="Other")


def test_another_workspace_may_use_the_same_handle(team):
    design(team)
    owner = UserFactory()
    elsewhere = workspace_with_owner(owner)

    group = usergroup_create(actor=owner, workspace=elsewhere, name="Design Team", handle="design-team")
    assert group.workspace == elsewhere


@pytest.mark.parametrize(("name", "problem"), [("  ", "required"), ("n" * 81, "too_long")])
def test_an_invalid_name_is_refused(team, name, problem):
    with refused(ErrorCode.INVALID_NAME) as info:
        design(team, name=name)
    assert info.value.fields == {"name": problem}


def test_a_description_too_long_is_refused(team):
    with refused(ErrorCode.INVALID_ARGUMENTS):
        design(team, description="d" * 251)


def test_unknown_people_are_refused_by_id_and_nothing_is_stored(team):
    with refused(ErrorCode.INVALID_USERS) as info:
        design(team, users=[team.member.public_id, "UNOBODY0000"])
    assert "UNOBODY0000" in info.value.message


def test_people_of_another_workspace_are_refused(team):
    stranger = add_member(workspace_with_owner())

    with refused(ErrorCode.INVALID_USERS):
        design(team, users=[stranger.public_id])


def test_a_deactivated_member_cannot_be_added(team):
    member_deactivate(actor=team.owner, workspace=team.workspace, user=team.other_member)

    with refused(ErrorCode.INVALID_USERS):
        design(team, users=[team.other_member.public_id])


def test_default_channels_must_be_public_channels_of_the_workspace(team):
    secret = channel_create(actor=team.admin, workspace=team.workspace, name="secret", is_private=True)
    elsewhere = workspace_with_owner()

    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        design(team, channels=[secret.public_id])
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        design(team, channels=[elsewhere.channels.get(name="general").public_id])


# --- Changing -----------------------------------------------------------------------------------


def test_update_changes_what_is_given_and_keeps_the_rest(team):
    group = design(team)

    usergroup_update(actor=team.owner, group=group, name="Designers", channels=[team.random.public_id])

    stored = UserGroup.objects.get(pk=group.pk)
    assert (stored.name, stored.handle, stored.description) == ("Designers", "design-team", "Pixels and words")
    assert stored.default_channels == [team.random.public_id]
    assert stored.updated_by == team.owner


def test_update_refuses_a_handle_that_is_a_persons_name(team):
    group = design(team)
    add_member(team.workspace, UserFactory(email="dana@example.test"))

    with refused(ErrorCode.HANDLE_ALREADY_EXISTS):
        usergroup_update(actor=team.admin, group=group, handle="dana")


def test_a_group_keeps_its_own_handle_on_update(team):
    group = design(team)

    assert usergroup_update(actor=team.admin, group=group, handle="design-team", name="Design Team").pk == group.pk


def test_set_users_replaces_the_whole_membership(team):
    group = design(team, users=[team.member.public_id, team.owner.public_id])

    usergroup_set_users(actor=team.admin, group=group, users=[team.owner.public_id, team.other_member.public_id])

    assert members_of(group) == sorted([team.owner.public_id, team.other_member.public_id])


def test_set_users_with_an_unknown_person_changes_nothing(team):
    group = design(team, users=[team.member.public_id])

    with refused(ErrorCode.INVALID_USERS):
        usergroup_set_users(actor=team.admin, group=group, users=[team.owner.public_id, "UNOBODY0000"])


def test_a_member_cannot_change_a_group_without_permission(team):
    group = design(team)

    with refused(ErrorCode.RESTRICTED_ACTION):
        usergroup_set_users(actor=team.member, group=group, users=[team.member.public_id])
    with refused(ErrorCode.RESTRICTED_ACTION):
        usergroup_update(actor=team.member, group=group, name="Mine")
    with refused(ErrorCode.RESTRICTED_ACTION):
        usergroup_set_enabled(actor=team.guest, group=group, enabled=False)


def test_deactivated_members_drop_out_of_the_groups_they_were_in(team):
    group = design(team, users=[team.member.public_id, team.owner.public_id])

    member_deactivate(actor=team.owner, workspace=team.workspace, user=team.member)

    assert members_of(group) == [team.owner.public_id]


def test_disabling_hides_a_group_from_the_list_and_enabling_brings_it_back(team):
    group = design(team)

    usergroup_set_enabled(actor=team.admin, group=group, enabled=False)
    assert usergroups_list(actor=team.member, workspace=team.workspace) == []
    assert usergroups_list(actor=team.member, workspace=team.workspace, include_disabled=True) == [group]
    assert UserGroup.objects.get(pk=group.pk).disabled_by == team.admin

    usergroup_set_enabled(actor=team.admin, group=group, enabled=True)
    assert usergroups_list(actor=team.member, workspace=team.workspace) == [group]


def test_another_workspaces_group_does_not_exist_for_you(team):
    owner = UserFactory()
    elsewhere = workspace_with_owner(owner)
    theirs = usergroup_create(actor=owner, workspace=elsewhere, name="Theirs", handle="theirs")

    with refused(ErrorCode.USERGROUP_NOT_FOUND):
        usergroup_get(actor=team.member, workspace=team.workspace, public_id=theirs.public_id)
    with refused(ErrorCode.WORKSPACE_NOT_FOUND):
        usergroups_list(actor=team.member, workspace=elsewhere)


# --- Events ----------------------------------------------------------------------------------


def test_each_change_is_told_to_the_workspace_after_commit(team, sent_events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        group = design(team, users=[team.member.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        usergroup_update(actor=team.admin, group=group, description="Now with motion")
    with django_capture_on_commit_callbacks(execute=True):
        usergroup_set_users(actor=team.admin, group=group, users=[team.owner.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        usergroup_set_enabled(actor=team.admin, group=group, enabled=False)

    created = sent_events.of_type("subteam_created")
    assert [e["subteam"]["handle"] for e in created] == ["design-team"]
    assert created[0]["subteam"]["users"] == [team.member.public_id]
    updated = sent_events.of_type("subteam_updated")
    assert updated[0]["subteam"]["description"] == "Now with motion"
    assert updated[1]["subteam"]["date_delete"] > 0
    changed = sent_events.of_type("subteam_members_changed")
    assert changed[0]["added_users"] == [team.owner.public_id]
    assert changed[0]["removed_users"] == [team.member.public_id]


def test_nothing_is_told_when_nothing_changes(team, sent_events, django_capture_on_commit_callbacks):
    group = design(team, users=[team.member.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        usergroup_set_users(actor=team.admin, group=group, users=[team.member.public_id])
        usergroup_set_enabled(actor=team.admin, group=group, enabled=True)
        usergroup_update(actor=team.admin, group=group, name="Design Team")

    assert not sent_events.of_type("subteam_members_changed")
    assert not sent_events.of_type("subteam_updated")


def test_the_events_reach_only_the_groups_own_workspace(team, layer_listener, django_capture_on_commit_callbacks):
    owner = UserFactory()
    elsewhere = workspace_with_owner(owner)
    here, there = layer_listener(workspace_group(team.workspace)), layer_listener(workspace_group(elsewhere))

    with django_capture_on_commit_callbacks(execute=True):
        design(team)
    with django_capture_on_commit_callbacks(execute=True):
        usergroup_create(actor=owner, workspace=elsewhere, name="Theirs", handle="theirs")

    assert here.receive_event()["subteam"]["handle"] == "design-team"
    assert there.receive_event()["subteam"]["handle"] == "theirs"  # the first it hears: never ours


# --- Default channels ---------------------------------------------------------------------------


def test_people_added_to_a_group_join_its_default_channels_but_guests_do_not(team):
    project = channel_create(actor=team.admin, workspace=team.workspace, name="project")
    group = design(team, channels=[project.public_id], users=[team.member.public_id])

    usergroup_set_users(actor=team.admin, group=group, users=[team.member.public_id, team.guest.public_id])

    joined = set(ChannelMember.objects.filter(channel=project).values_list("user_id", flat=True))
    assert joined == {team.admin.pk, team.member.pk}


def test_archived_default_channels_are_not_joined(team):
    project = channel_create(actor=team.admin, workspace=team.workspace, name="project")
    group = design(team, channels=[project.public_id])
    channel_archive(actor=team.admin, channel=project)

    usergroup_set_users(actor=team.admin, group=group, users=[team.member.public_id])

    assert not ChannelMember.objects.filter(channel=project, user=team.member).exists()
