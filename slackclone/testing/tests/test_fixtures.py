"""The `team` fixture writes its rows directly for speed; it must equal what the services build."""

import pytest

from chat.models import Channel, ChannelMember
from slackclone.testing.factories import TEAM_PEOPLE, Team, UserFactory, add_member, make_team, workspace_with_owner
from workspaces.models import Membership

pytestmark = pytest.mark.django_db


def _team_through_the_services() -> Team:
    owner = UserFactory()
    workspace = workspace_with_owner(owner)
    people = {"owner": owner}
    for key, (_, role) in list(TEAM_PEOPLE.items())[1:]:
        people[key] = add_member(workspace, role=role)
    channels = {c.name: c for c in Channel.objects.filter(workspace=workspace)}
    return Team(workspace=workspace, general=channels["general"], random=channels["random"], **people)


def _shape(team: Team) -> dict:
    """Everything about a team except ids, names and timestamps."""
    label = {getattr(team, key).pk: key for key in TEAM_PEOPLE}
    channels = Channel.objects.filter(workspace=team.workspace).order_by("name")
    return {
        "roles": {label[m.user_id]: (m.role, m.is_active) for m in Membership.objects.filter(workspace=team.workspace)},
        "channels": [
            (c.name, c.kind, c.public_id[0], c.is_general, c.is_archived, c.topic, c.purpose, c.last_seq)
            for c in channels
        ],
        "creators": {c.name: label[c.created_by_id] for c in channels},
        "channel_members": sorted(
            (m.channel.name, label[m.user_id], m.last_read_seq, m.notify_level, m.muted)
            for m in ChannelMember.objects.filter(channel__workspace=team.workspace).select_related("channel")
        ),
        "workspace_creator": label[team.workspace.created_by_id],
    }


def test_the_team_fixture_equals_a_team_built_through_the_services():
    assert _shape(make_team()) == _shape(_team_through_the_services())


def test_team_members_are_who_they_say(team):
    assert {key: getattr(team, key).full_name for key in TEAM_PEOPLE} == {
        key: name for key, (name, _) in TEAM_PEOPLE.items()
    }
    assert (team.general.name, team.random.name) == ("general", "random")
