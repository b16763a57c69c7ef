"""message_edit: only the author, mentions re-parsed, the edit recorded."""

import pytest

from chat.models import Mention, MentionKind, Message
from chat.services import (
    channel_archive,
    channel_create,
    channel_invite,
    channel_kick,
    message_delete,
    message_edit,
    message_post,
)
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def message(team):
    return message_post(sender=team.member, channel=team.general, text=f"hi <@{team.owner.public_id}>")


def test_author_edits_text_and_the_edit_is_recorded(team, message):
    message_post(sender=team.owner, channel=team.general, text="later message")
    edited = message_edit(actor=team.member, message=message, text="hello, edited  ")
    stored = Message.objects.get(pk=message.pk)
    assert stored.text == edited.text == "hello, edited"
    assert stored.edited_at is not None
    assert stored.seq == 1  # an edit keeps the message's place
    assert stored.changed_at_seq == 2


def test_mentions_are_parsed_again_on_edit(team, message):
    assert set(Mention.objects.filter(message=message).values_list("user_id", flat=True)) == {team.owner.pk}
    message_edit(actor=team.member, message=message, text=f"<@{team.admin.public_id}> <!here>")
    assert {(m.kind, m.user_id) for m in Mention.objects.filter(message=message)} == {
        (MentionKind.USER, team.admin.pk),
        (MentionKind.HERE, None),
    }


@pytest.mark.parametrize("who", ["other_member", "admin", "owner"])
def test_only_the_author_can_edit_not_even_admins(team, message, who):
    with refused(ErrorCode.CANT_UPDATE_MESSAGE):
        message_edit(actor=getattr(team, who), message=message, text="rewritten")


@pytest.mark.parametrize(("text", "code"), [("  ", ErrorCode.NO_TEXT), ("x" * 40_001, ErrorCode.MSG_TOO_LONG)])
def test_invalid_new_text_changes_nothing(team, message, text, code):
    with refused(code):
        message_edit(actor=team.member, message=message, text=text)


def test_deleted_message_cannot_be_edited(team, message):
    message_delete(actor=team.member, message=message)
    with refused(ErrorCode.MESSAGE_NOT_FOUND):
        message_edit(actor=team.member, message=message, text="back from the dead")


def test_message_in_an_archived_channel_cannot_be_edited(team):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="finished")
    message = message_post(sender=team.member, channel=channel, text="done")
    channel_archive(actor=team.member, channel=channel)
    with refused(ErrorCode.IS_ARCHIVED):
        message_edit(actor=team.member, message=message, text="not done")


def test_author_removed_from_a_private_channel_can_no_longer_edit_there(team):
    channel = channel_create(actor=team.owner, workspace=team.workspace, name="inner-circle", is_private=True)
    channel_invite(actor=team.owner, channel=channel, users=[team.member])
    message = message_post(sender=team.member, channel=channel, text="while I was in")
    channel_kick(actor=team.owner, channel=channel, user=team.member)
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        message_edit(actor=team.member, message=message, text="after")
