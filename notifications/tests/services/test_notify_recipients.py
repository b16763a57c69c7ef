"""notify_message_posted: who is notified of a message, and why, for every rule."""

from __future__ import annotations

import pytest

from chat.models import ChannelMember, Mention, NotifyLevel
from chat.services import (
    channel_create,
    channel_invite,
    dm_open,
    message_delete,
    message_post,
    thread_follow,
    thread_preferences_set,
    thread_unfollow,
)
from notifications.models import Notification, NotificationReason
from notifications.rules import channel_candidates, may_notify_anyone, message_facts
from notifications.services import notify_message_posted
from notifications.tests.conftest import NOON
from outbox.models import OutboxJob
from slackclone.testing.factories import BotFactory, add_member
from workspaces.services import member_deactivate

pytestmark = pytest.mark.django_db


def notified(message) -> dict:
    """{user: reason} after the notification job has run for the message."""
    notify_message_posted(message_id=message.pk, now=NOON)
    return {n.user: n.reason for n in Notification.objects.filter(message=message).select_related("user")}


def mention(user) -> str:
    return f"<@{user.public_id}>"


def set_level(channel, user, level=None, muted=None) -> None:
    changes = {}
    if level is not None:
        changes["notify_level"] = level
    if muted is not None:
        changes["muted"] = muted
    ChannelMember.objects.filter(channel=channel, user=user).update(**changes)


# --- DMs ---------------------------------------------------------------------------------


def test_dm_notifies_the_other_person_and_never_the_author(team):
    dm, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.owner])
    message = message_post(sender=team.member, channel=dm, text="got a minute?")

    assert notified(message) == {team.owner: NotificationReason.DM}


def test_group_dm_notifies_every_other_participant(team):
    group, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.owner, team.admin])
    message = message_post(sender=team.member, channel=group, text="lunch?")

    assert notified(message) == {team.owner: NotificationReason.DM, team.admin: NotificationReason.DM}


def test_dm_set_to_nothing_stays_silent(team):
    dm, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.owner])
    set_level(dm, team.owner, level=NotifyLevel.NOTHING)

    assert notified(message_post(sender=team.member, channel=dm, text="hello")) == {}


# --- Mentions and broadcasts -------------------------------------------------------------------


def test_mention_notifies_only_the_mentioned_member_at_the_default_level(team):
    message = message_post(sender=team.member, channel=team.general, text=f"{mention(team.owner)} can you look?")

    assert notified(message) == {team.owner: NotificationReason.MENTION}


def test_mentioning_yourself_notifies_nobody(team):
    message = message_post(sender=team.member, channel=team.general, text=f"note to {mention(team.member)}")

    assert notified(message) == {}


def test_mentioned_person_outside_a_private_channel_is_not_notified(team):
    private = channel_create(actor=team.member, workspace=team.workspace, name="secret", is_private=True)
    message = message_post(sender=team.member, channel=private, text=f"{mention(team.owner)} psst")

    assert notified(message) == {}


def test_mentioned_person_not_in_a_public_channel_is_not_notified(team):
    message = message_post(sender=team.owner, channel=team.random, text=f"{mention(team.member)} come here")

    assert notified(message) == {}


@pytest.mark.parametrize("broadcast", ["<!channel>", "<!everyone>"])
def test_channel_and_everyone_notify_every_member_but_the_author(team, broadcast):
    message = message_post(sender=team.member, channel=team.general, text=f"{broadcast} release today")

    assert notified(message) == {
        team.owner: NotificationReason.BROADCAST,
        team.admin: NotificationReason.BROADCAST,
        team.other_member: NotificationReason.BROADCAST,
    }


def test_here_notifies_only_members_online_now(team, online):
    online(team.owner, team.other_member)
    message = message_post(sender=team.member, channel=team.general, text="<!here> standup in 5")

    assert notified(message) == {
        team.owner: NotificationReason.BROADCAST,
        team.other_member: NotificationReason.BROADCAST,
    }


def test_a_mention_by_name_outranks_a_broadcast(team):
    message = message_post(sender=team.member, channel=team.general, text=f"<!channel> and {mention(team.admin)}")

    assert notified(message)[team.admin] == NotificationReason.MENTION


# --- Threads -----------------------------------------------------------------------------------


def test_thread_reply_notifies_the_root_author_and_earlier_repliers(team):
    root = message_post(sender=team.owner, channel=team.general, text="design review?")
    message_post(sender=team.admin, channel=team.general, text="yes", thread_ts=root.ts)
    reply = message_post(sender=team.member, channel=team.general, text="me too", thread_ts=root.ts)

    assert notified(reply) == {team.owner: NotificationReason.THREAD, team.admin: NotificationReason.THREAD}


def test_thread_participant_who_left_the_channel_is_not_notified(team):
    private = channel_create(actor=team.owner, workspace=team.workspace, name="plans", is_private=True)
    channel_invite(actor=team.owner, channel=private, users=[team.member])
    root = message_post(sender=team.member, channel=private, text="draft")
    ChannelMember.objects.filter(channel=private, user=team.member).delete()
    reply = message_post(sender=team.owner, channel=private, text="comments", thread_ts=root.ts)

    assert notified(reply) == {}


def test_a_thread_unfollowed_notifies_no_more(team):
    root = message_post(sender=team.owner, channel=team.general, text="design review?")
    message_post(sender=team.admin, channel=team.general, text="yes", thread_ts=root.ts)
    thread_unfollow(actor=team.owner, channel=team.general, ts=root.ts)
    reply = message_post(sender=team.member, channel=team.general, text="me too", thread_ts=root.ts)

    assert notified(reply) == {team.admin: NotificationReason.THREAD}


def test_following_a_thread_by_choice_notifies_of_its_replies(team):
    root = message_post(sender=team.owner, channel=team.general, text="design review?")
    thread_follow(actor=team.other_member, channel=team.general, ts=root.ts)
    reply = message_post(sender=team.member, channel=team.general, text="me too", thread_ts=root.ts)

    assert notified(reply) == {team.owner: NotificationReason.THREAD, team.other_member: NotificationReason.THREAD}


def test_the_new_replies_preference_off_silences_followed_threads_but_not_mentions(team):
    root = message_post(sender=team.owner, channel=team.general, text="design review?")
    thread_preferences_set(actor=team.owner, workspace=team.workspace, new_replies=False)
    reply = message_post(sender=team.member, channel=team.general, text="me too", thread_ts=root.ts)
    assert notified(reply) == {}
    named = message_post(sender=team.member, channel=team.general, text=mention(team.owner), thread_ts=root.ts)
    assert notified(named) == {team.owner: NotificationReason.MENTION}


def test_a_muted_channel_keeps_followed_threads_silent(team):
    root = message_post(sender=team.owner, channel=team.general, text="design review?")
    set_level(team.general, team.owner, muted=True)
    reply = message_post(sender=team.member, channel=team.general, text="me too", thread_ts=root.ts)

    assert notified(reply) == {}


# --- Notify levels and mute ---------------------------------------------------------------------


def test_level_all_notifies_every_channel_message_but_not_thread_replies(team):
    set_level(team.general, team.other_member, level=NotifyLevel.ALL)
    top = message_post(sender=team.member, channel=team.general, text="anyone around?")
    reply = message_post(sender=team.admin, channel=team.general, text="inside a thread", thread_ts=top.ts)
    broadcast_reply = message_post(
        sender=team.admin, channel=team.general, text="also in channel", thread_ts=top.ts, reply_broadcast=True
    )

    assert notified(top) == {team.other_member: NotificationReason.CHANNEL}
    assert team.other_member not in notified(reply)
    assert notified(broadcast_reply)[team.other_member] == NotificationReason.CHANNEL


def test_level_nothing_silences_even_a_direct_mention(team):
    set_level(team.general, team.owner, level=NotifyLevel.NOTHING)
    message = message_post(sender=team.member, channel=team.general, text=f"{mention(team.owner)} <!channel>")

    assert team.owner not in notified(message)


def test_muted_channel_notifies_only_a_direct_mention(team):
    set_level(team.general, team.owner, level=NotifyLevel.ALL, muted=True)
    plain = message_post(sender=team.member, channel=team.general, text="<!channel> fire drill")
    direct = message_post(sender=team.member, channel=team.general, text=f"{mention(team.owner)} need you")

    assert team.owner not in notified(plain)
    assert notified(direct)[team.owner] == NotificationReason.MENTION


def test_a_plain_message_in_a_large_channel_reads_only_the_members_a_rule_can_pick(team):
    crowd = [add_member(team.workspace) for _ in range(30)]
    set_level(team.general, crowd[0], level=NotifyLevel.ALL)
    set_level(team.general, crowd[1], level=NotifyLevel.ALL, muted=True)
    message = message_post(sender=team.member, channel=team.general, text=f"{mention(crowd[2])} take a look")

    read = {candidate.user_id for candidate in channel_candidates(message, message_facts(message))}

    assert read == {crowd[0].pk, crowd[2].pk}
    assert notified(message) == {crowd[0]: NotificationReason.CHANNEL, crowd[2]: NotificationReason.MENTION}


def test_a_broadcast_reads_every_member_who_has_not_turned_notifications_off(team):
    crowd = [add_member(team.workspace) for _ in range(10)]
    set_level(team.general, crowd[0], level=NotifyLevel.NOTHING)
    message = message_post(sender=team.member, channel=team.general, text="<!channel> standup")

    read = {candidate.user_id for candidate in channel_candidates(message, message_facts(message))}

    everyone = set(ChannelMember.objects.filter(channel=team.general).values_list("user_id", flat=True))
    assert read == everyone - {team.member.pk, crowd[0].pk}


# --- Which messages are worth a notification task ---------------------------------------------


def may_notify(message) -> bool:
    return may_notify_anyone(message, list(Mention.objects.filter(message=message)))


def test_a_plain_message_nobody_asked_to_hear_about_needs_no_notification_work(team):
    set_level(team.general, team.member, level=NotifyLevel.ALL)  # the author's own level does not count
    set_level(team.general, team.admin, level=NotifyLevel.ALL, muted=True)
    message = message_post(sender=team.member, channel=team.general, text="lunch?")

    assert not may_notify(message)
    assert notified(message) == {}


def test_a_member_who_asked_for_every_message_makes_a_plain_message_worth_notifying(team):
    set_level(team.general, team.owner, level=NotifyLevel.ALL)
    message = message_post(sender=team.member, channel=team.general, text="lunch?")

    assert may_notify(message)


def test_only_a_message_worth_notifying_writes_a_notification_job(team):
    quiet = message_post(sender=team.member, channel=team.general, text="lunch?")
    mentioned = message_post(sender=team.member, channel=team.general, text=f"{mention(team.owner)} lunch?")
    set_level(team.general, team.owner, level=NotifyLevel.ALL)
    heard = message_post(sender=team.member, channel=team.general, text="lunch now?")

    jobs = OutboxJob.objects.filter(name="notifications.notify_message")
    assert sorted(job.args for job in jobs) == sorted([[heard.pk], [mentioned.pk]])
    assert quiet.pk not in {job.args[0] for job in jobs}


@pytest.mark.parametrize("text", ["<!here> standup", "<!channel> standup", "MENTION standup"])
def test_mentions_and_broadcasts_are_worth_notifying(team, text):
    message = message_post(sender=team.member, channel=team.general, text=text.replace("MENTION", mention(team.owner)))

    assert may_notify(message)


def test_dms_and_thread_replies_are_worth_notifying(team):
    dm, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.owner])
    root = message_post(sender=team.owner, channel=team.general, text="design review?")

    assert may_notify(message_post(sender=team.member, channel=dm, text="hi"))
    assert may_notify(message_post(sender=team.member, channel=team.general, text="me", thread_ts=root.ts))


# --- Who can never be notified --------------------------------------------------------------------


def test_bots_are_never_notified(team):
    bot = add_member(team.workspace, BotFactory())
    message = message_post(sender=team.member, channel=team.general, text=f"<!channel> {mention(bot)}")

    assert bot not in notified(message)


def test_deactivated_members_are_not_notified(team):
    member_deactivate(actor=team.owner, workspace=team.workspace, user=team.other_member)
    message = message_post(sender=team.member, channel=team.general, text="<!channel> hello")

    assert team.other_member not in notified(message)


def test_a_message_deleted_before_the_job_runs_notifies_nobody(team):
    message = message_post(sender=team.member, channel=team.general, text=f"{mention(team.owner)} oops")
    message_delete(actor=team.member, message=message)

    assert notified(message) == {}


def test_running_the_job_twice_writes_each_notification_once(team):
    message = message_post(sender=team.member, channel=team.general, text="<!channel> twice?")
    first = notify_message_posted(message_id=message.pk, now=NOON)
    second = notify_message_posted(message_id=message.pk, now=NOON)

    assert first.recipients == second.recipients == 3
    assert Notification.objects.filter(message=message).count() == 3
