"""A user group's mention (<!subteam^S…>) is a personal mention of each of its members, fixed at posting."""

import pytest

from chat.models import Mention, MentionKind
from chat.selectors.unread import unread_counts
from chat.services import channel_create, message_edit, message_post
from chat.text import parse_mentions
from slackclone.testing.factories import UserFactory, workspace_with_owner
from workspaces.services import usergroup_create, usergroup_set_enabled, usergroup_set_users

pytestmark = pytest.mark.django_db


def mentioned(message) -> set:
    return set(Mention.objects.filter(message=message, kind=MentionKind.USER).values_list("user__public_id", flat=True))


@pytest.fixture
def designers(team):
    return usergroup_create(
        actor=team.admin,
        workspace=team.workspace,
        name="Design Team",
        handle="design-team",
        users=[team.owner.public_id, team.other_member.public_id],
    )


def markup(group) -> str:
    return f"<!subteam^{group.public_id}|@{group.handle}>"


def test_the_markup_is_parsed_with_or_without_a_label():
    parsed = parse_mentions("<!subteam^SABC123> and <!subteam^SDEF456|@design> and <!subteam^SABC123>")
    assert parsed.subteam_ids == ["SABC123", "SDEF456"]
    assert parsed.user_ids == []
    assert parsed.broadcasts == []


def test_mentioning_a_group_mentions_each_member_by_name(team, designers):
    message = message_post(sender=team.member, channel=team.general, text=f"{markup(designers)} please review")

    assert mentioned(message) == {team.owner.public_id, team.other_member.public_id}


def test_the_mention_counts_as_a_personal_mention_in_the_members_unread_state(team, designers):
    message_post(sender=team.member, channel=team.general, text=f"{markup(designers)} please review")

    counts = unread_counts(user=team.other_member, workspace=team.workspace)
    assert counts[team.general.public_id]["mentions"] == 1


def test_someone_named_both_directly_and_through_a_group_is_mentioned_once(team, designers):
    text = f"<@{team.owner.public_id}> and {markup(designers)}"
    message = message_post(sender=team.member, channel=team.general, text=text)

    assert Mention.objects.filter(message=message, user=team.owner).count() == 1


def test_members_who_cannot_see_a_private_channel_are_not_mentioned(team, designers):
    private = channel_create(actor=team.member, workspace=team.workspace, name="quiet", is_private=True)

    message = message_post(sender=team.member, channel=private, text=markup(designers))

    assert mentioned(message) == set()


def test_a_disabled_group_mentions_nobody(team, designers):
    usergroup_set_enabled(actor=team.admin, group=designers, enabled=False)

    message = message_post(sender=team.member, channel=team.general, text=markup(designers))

    assert mentioned(message) == set()


def test_members_are_those_of_the_time_of_posting(team, designers):
    first = message_post(sender=team.member, channel=team.general, text=markup(designers))
    usergroup_set_users(actor=team.admin, group=designers, users=[team.admin.public_id])
    second = message_post(sender=team.member, channel=team.general, text=markup(designers))

    assert mentioned(first) == {team.owner.public_id, team.other_member.public_id}
    assert mentioned(second) == {team.admin.public_id}


def test_editing_a_message_to_add_a_group_mentions_its_members(team, designers):
    message = message_post(sender=team.member, channel=team.general, text="please review")

    message_edit(actor=team.member, message=message, text=f"{markup(designers)} please review")

    assert mentioned(message) == {team.owner.public_id, team.other_member.public_id}


def test_another_workspaces_group_mentions_nobody_here(team):
    owner = UserFactory()
    elsewhere = workspace_with_owner(owner)
    theirs = usergroup_create(actor=owner, workspace=elsewhere, name="Theirs", handle="theirs", users=[owner.public_id])

    message = message_post(sender=team.member, channel=team.general, text=markup(theirs))

    assert not Mention.objects.filter(message=message).exists()
