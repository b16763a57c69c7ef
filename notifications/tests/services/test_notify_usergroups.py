"""Members of a mentioned user group are notified as for a mention by name: mute and do-not-disturb included."""

from __future__ import annotations

from datetime import time

import pytest

from accounts.models import User
from chat.models import ChannelMember
from chat.services import message_post
from notifications.models import Notification, NotificationReason
from notifications.services import notify_message_posted
from notifications.tests.conftest import NOON
from realtime import transport
from workspaces.services import usergroup_create, usergroup_set_enabled

pytestmark = pytest.mark.django_db


@pytest.fixture
def designers(team):
    return usergroup_create(
        actor=team.admin,
        workspace=team.workspace,
        name="Design Team",
        handle="design-team",
        users=[team.owner.public_id, team.other_member.public_id, team.member.public_id],
    )


def post_to_group(team, group):
    return message_post(sender=team.member, channel=team.general, text=f"<!subteam^{group.public_id}> review?")


def notified(message) -> dict:
    notify_message_posted(message_id=message.pk, now=NOON)
    return {n.user: n.reason for n in Notification.objects.filter(message=message).select_related("user")}


def test_each_member_but_the_author_is_notified_of_a_mention(team, designers):
    assert notified(post_to_group(team, designers)) == {
        team.owner: NotificationReason.MENTION,
        team.other_member: NotificationReason.MENTION,
    }


def test_a_muted_channel_still_notifies_a_group_mention_as_a_personal_one(team, designers):
    ChannelMember.objects.filter(channel=team.general, user=team.owner).update(muted=True)

    assert notified(post_to_group(team, designers))[team.owner] == NotificationReason.MENTION


def test_a_member_who_asked_for_nothing_hears_nothing(team, designers):
    ChannelMember.objects.filter(channel=team.general, user=team.owner).update(notify_level="nothing")

    assert team.owner not in notified(post_to_group(team, designers))


def test_a_disabled_group_notifies_nobody(team, designers):
    usergroup_set_enabled(actor=team.admin, group=designers, enabled=False)

    assert notified(post_to_group(team, designers)) == {}


def test_during_dnd_the_members_notification_is_silent(
    team, designers, online, layer_listener, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=team.owner.pk).update(timezone="UTC", dnd_start=time(11, 0), dnd_end=time(13, 0))
    online(team.owner)
    listener = layer_listener(transport.user_group(team.owner))
    message = post_to_group(team, designers)

    with django_capture_on_commit_callbacks(execute=True):
        notify_message_posted(message_id=message.pk, now=NOON)

    event = listener.receive_event()
    assert (event["reason"], event["alert"]) == ("mention", False)
