"""ephemeral_post: a message one member sees at once and nobody else ever does (Slack's chat.postEphemeral)."""

from __future__ import annotations

import pytest

from chat.models import Message
from chat.services import channel_archive, channel_create, ephemeral_post, message_post
from realtime import transport
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused
from slackclone.testing.factories import BotFactory, add_member
from workspaces.services import member_deactivate

pytestmark = pytest.mark.django_db


def test_only_the_recipient_hears_of_it_and_nothing_is_stored(team, layer_listener, django_capture_on_commit_callbacks):
    bot = add_member(team.workspace, BotFactory())
    recipient = layer_listener(transport.user_group(team.member))
    channel = layer_listener(transport.channel_group(team.general))
    bystander = layer_listener(transport.user_group(team.owner))

    stored_before = Message.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        message = ephemeral_post(
            sender=bot, channel=team.general, recipient=team.member, text="Only you: *deploy* queued", username="ci"
        )

    event = recipient.receive_event()
    assert event == {
        "type": "ephemeral_message",
        "workspace": team.workspace.public_id,
        "channel": team.general.public_id,
        "message": {
            "type": "message",
            "subtype": "bot_message",
            "channel": team.general.public_id,
            "user": bot.public_id,
            "text": "Only you: *deploy* queued",
            "ts": message.ts,
            "is_ephemeral": True,
            "bot_id": bot.public_id,
            "bot_profile": event["message"]["bot_profile"],
            "username": "ci",
        },
    }
    assert channel.drain() == []
    assert bystander.drain() == []
    assert Message.objects.count() == stored_before


def test_its_ts_comes_after_the_channels_last_message_and_takes_no_seq(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        posted = message_post(sender=team.owner, channel=team.general, text="before")
        message = ephemeral_post(sender=team.owner, channel=team.general, recipient=team.member, text="psst")
        after = message_post(sender=team.owner, channel=team.general, text="after")

    assert posted.ts < message.ts
    assert after.seq == posted.seq + 1  # nothing was numbered in between


def test_in_a_thread_it_names_the_threads_root(team, layer_listener, django_capture_on_commit_callbacks):
    root = message_post(sender=team.owner, channel=team.general, text="design review?")
    reply = message_post(sender=team.admin, channel=team.general, text="yes", thread_ts=root.ts)
    recipient = layer_listener(transport.user_group(team.member))

    with django_capture_on_commit_callbacks(execute=True):
        ephemeral_post(sender=team.owner, channel=team.general, recipient=team.member, text="hint", thread_ts=reply.ts)

    assert recipient.receive_event()["message"]["thread_ts"] == root.ts


def test_the_recipient_must_be_an_active_member_of_the_channel(team):
    private = channel_create(actor=team.owner, workspace=team.workspace, name="plans", is_private=True)
    with refused(ErrorCode.USER_NOT_IN_CHANNEL):
        ephemeral_post(sender=team.owner, channel=private, recipient=team.member, text="psst")
    member_deactivate(actor=team.owner, workspace=team.workspace, user=team.other_member)
    with refused(ErrorCode.USER_NOT_IN_CHANNEL):
        ephemeral_post(sender=team.owner, channel=team.general, recipient=team.other_member, text="psst")


def test_the_sender_must_be_a_member_and_a_private_channel_they_are_not_in_does_not_exist(team):
    private = channel_create(actor=team.owner, workspace=team.workspace, name="plans", is_private=True)
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        ephemeral_post(sender=team.member, channel=private, recipient=team.owner, text="psst")
    outsider_bot = BotFactory()
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        ephemeral_post(sender=outsider_bot, channel=team.general, recipient=team.owner, text="psst")


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"text": "   "}, ErrorCode.NO_TEXT),
        ({"text": "x" * 40_001}, ErrorCode.MSG_TOO_LONG),
        ({"text": "hi", "thread_ts": "1.000001"}, ErrorCode.THREAD_NOT_FOUND),
        ({"text": "hi", "icon_emoji": ":no such emoji:"}, ErrorCode.INVALID_EMOJI),
    ],
)
def test_bad_input_is_refused_with_its_code(team, arguments, code):
    bot = add_member(team.workspace, BotFactory())
    with refused(code):
        ephemeral_post(sender=bot, channel=team.general, recipient=team.member, **arguments)


def test_an_archived_channel_takes_no_ephemeral_message(team):
    channel_archive(actor=team.owner, channel=team.random)
    with refused(ErrorCode.IS_ARCHIVED):
        ephemeral_post(sender=team.owner, channel=team.random, recipient=team.member, text="psst")
