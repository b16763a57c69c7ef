"""manage.py add_to_channel SLUG CHANNEL_NAME EMAIL"""

from __future__ import annotations

import pytest

from accounts.tests.commands.support import refused, run
from chat.models import ChannelMember
from chat.services import channel_archive, channel_create, message_post
from slackclone.errors import ErrorCode

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret(team):
    channel = channel_create(actor=team.admin, workspace=team.workspace, name="secret", is_private=True)
    message_post(sender=team.admin, channel=channel, text="before you joined")
    return channel


def test_adds_a_member_to_a_private_channel_with_its_history_already_read(team, secret):
    run("add_to_channel", team.workspace.slug, "secret", team.member.email)

    member = ChannelMember.objects.get(channel=secret, user=team.member)
    assert member.last_read_seq == 1


def test_adds_a_guest_to_a_public_channel(team):
    run("add_to_channel", team.workspace.slug, "#random", team.guest.email)
    assert ChannelMember.objects.filter(channel=team.random, user=team.guest).exists()


def test_refuses_someone_already_in_the_channel(team, secret):
    refused("add_to_channel", team.workspace.slug, "secret", team.admin.email, code=ErrorCode.ALREADY_IN_CHANNEL)


def test_refuses_someone_outside_the_workspace(team, secret, outsider):
    refused("add_to_channel", team.workspace.slug, "secret", outsider.email, code=ErrorCode.USER_NOT_FOUND)


def test_refuses_an_archived_channel(team, secret):
    channel_archive(actor=None, channel=secret)
    refused("add_to_channel", team.workspace.slug, "secret", team.member.email, code=ErrorCode.IS_ARCHIVED)


def test_refuses_unknown_workspace_channel_or_email(team):
    refused("add_to_channel", "no-such-team", "random", team.member.email, code=ErrorCode.WORKSPACE_NOT_FOUND)
    refused("add_to_channel", team.workspace.slug, "nope", team.member.email, code=ErrorCode.CHANNEL_NOT_FOUND)
    refused("add_to_channel", team.workspace.slug, "random", "ghost@example.com", code=ErrorCode.USER_NOT_FOUND)
