"""message_delete: the author or a workspace admin; a tombstone keeps the seq."""

import pytest

from chat.models import Channel, Mention, Message, Pin, Reaction
from chat.services import channel_archive, channel_create, message_delete, message_post, pin_add, reaction_add
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused

pytestmark = pytest.mark.django_db


def _post(team, text, sender=None, **kwargs) -> Message:
    return message_post(sender=sender or team.member, channel=team.general, text=text, **kwargs)


def test_deleted_message_becomes_a_tombstone_that_keeps_its_seq(team):
    _post(team, "before")
    message = _post(team, f"oops <@{team.owner.public_id}>")
    _post(team, "after")
    message_delete(actor=team.member, message=message)
    stored = Message.objects.get(pk=message.pk)
    assert stored.is_deleted
    assert stored.text == ""
    assert stored.seq == 2
    assert list(Message.objects.filter(channel=team.general).order_by("seq").values_list("seq", flat=True)) == [1, 2, 3]
    assert Channel.objects.get(pk=team.general.pk).last_seq == 3
    assert _post(team, "next").seq == 4  # a deleted seq is never reused


def test_deleting_removes_mentions_reactions_and_the_pin(team):
    message = _post(team, f"<@{team.owner.public_id}> <!channel> important")
    reaction_add(actor=team.owner, message=message, emoji="eyes")
    pin_add(actor=team.owner, message=message)
    message_delete(actor=team.member, message=message)
    assert not Mention.objects.filter(message=message).exists()
    assert not Reaction.objects.filter(message=message).exists()
    assert not Pin.objects.filter(message=message).exists()


@pytest.mark.parametrize("who", ["admin", "owner"])
def test_workspace_admins_may_delete_anyones_message(team, who):
    message = _post(team, "against the rules")
    message_delete(actor=getattr(team, who), message=message)
    assert Message.objects.get(pk=message.pk).is_deleted


def test_operator_may_delete_any_message(team):
    message = _post(team, "spam")
    message_delete(actor=None, message=message)
    assert Message.objects.get(pk=message.pk).is_deleted


def test_other_members_cannot_delete_a_message(team):
    message = _post(team, "mine")
    with refused(ErrorCode.CANT_DELETE_MESSAGE):
        message_delete(actor=team.other_member, message=message)


def test_deleting_twice_is_message_not_found(team):
    message = _post(team, "gone")
    message_delete(actor=team.member, message=message)
    with refused(ErrorCode.MESSAGE_NOT_FOUND):
        message_delete(actor=team.member, message=Message.objects.get(pk=message.pk))


def test_message_in_an_archived_channel_cannot_be_deleted(team):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="frozen")
    message = message_post(sender=team.member, channel=channel, text="kept")
    channel_archive(actor=team.member, channel=channel)
    with refused(ErrorCode.IS_ARCHIVED):
        message_delete(actor=team.member, message=message)


def test_deleting_a_reply_updates_its_threads_count_and_latest_reply(team):
    root = _post(team, "root")
    first = _post(team, "first", sender=team.owner, thread_ts=root.ts)
    second = _post(team, "second", sender=team.owner, thread_ts=root.ts)
    message_delete(actor=team.owner, message=second)
    root.refresh_from_db()
    assert (root.reply_count, root.latest_reply_ts) == (1, first.ts)
    message_delete(actor=team.owner, message=Message.objects.get(pk=first.pk))
    root.refresh_from_db()
    assert (root.reply_count, root.latest_reply_ts) == (0, "")


def test_deleting_a_thread_root_keeps_its_replies(team):
    root = _post(team, "root")
    reply = _post(team, "reply", sender=team.owner, thread_ts=root.ts)
    message_delete(actor=team.member, message=root)
    root.refresh_from_db()
    assert root.is_deleted
    assert root.reply_count == 1
    assert Message.objects.get(pk=reply.pk).thread_root_id == root.pk
