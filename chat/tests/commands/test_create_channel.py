"""manage.py create_channel SLUG NAME [--private] --by EMAIL"""

from __future__ import annotations

import pytest

from accounts.tests.commands.support import refused, run
from chat.models import Channel, ChannelKind, ChannelMember
from slackclone.errors import ErrorCode

pytestmark = pytest.mark.django_db


def test_creates_a_public_channel_with_its_creator_and_prints_its_id(team):
    lines = run("create_channel", team.workspace.slug, "launch", "--by", team.member.email)

    channel = Channel.objects.get(public_id=lines[-1])
    assert (channel.workspace, channel.name, channel.kind) == (team.workspace, "launch", ChannelKind.PUBLIC)
    assert channel.public_id.startswith("C")
    assert channel.created_by == team.member
    assert list(ChannelMember.objects.filter(channel=channel).values_list("user", flat=True)) == [team.member.pk]


def test_creates_a_private_channel(team):
    lines = run("create_channel", team.workspace.slug, "#secret", "--private", "--by", team.admin.email)

    channel = Channel.objects.get(public_id=lines[-1])
    assert (channel.name, channel.kind) == ("secret", ChannelKind.PRIVATE)
    assert channel.public_id.startswith("G")


def test_refuses_a_name_already_taken(team):
    refused("create_channel", team.workspace.slug, "random", "--by", team.member.email, code=ErrorCode.NAME_TAKEN)


def test_refuses_an_invalid_name(team):
    refused("create_channel", team.workspace.slug, "Big Plans!", "--by", team.member.email, code=ErrorCode.INVALID_NAME)


def test_refuses_a_creator_from_outside_the_workspace(team, outsider):
    message = refused(
        "create_channel", team.workspace.slug, "launch", "--by", outsider.email, code=ErrorCode.NOT_IN_WORKSPACE
    )
    assert outsider.email in message


def test_refuses_a_guest_creator(team):
    refused("create_channel", team.workspace.slug, "launch", "--by", team.guest.email, code=ErrorCode.RESTRICTED_ACTION)


def test_refuses_an_unknown_workspace_or_creator(team):
    refused("create_channel", "no-such-team", "launch", "--by", team.member.email, code=ErrorCode.WORKSPACE_NOT_FOUND)
    refused("create_channel", team.workspace.slug, "launch", "--by", "ghost@example.com", code=ErrorCode.USER_NOT_FOUND)
