"""reaction_add and reaction_remove: one reaction per person and emoji."""

import pytest
from django.db import connection

from chat.models import Channel, Message, Reaction
from chat.services import (
    channel_archive,
    channel_create,
    message_delete,
    message_post,
    reaction_add,
    reaction_remove,
)
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def message(team):
    return message_post(sender=team.member, channel=team.general, text="ship it?")


def _reactions(message):
    return sorted(Reaction.objects.filter(message=message).values_list("user_id", "emoji"))


def test_members_react_with_shortcodes_stored_without_colons(team, message):
    reaction_add(actor=team.owner, message=message, emoji=":thumbsup:")
    reaction_add(actor=team.admin, message=message, emoji="thumbsup")
    reaction_add(actor=team.admin, message=message, emoji="Tada")
    assert _reactions(message) == sorted(
        [(team.owner.pk, "thumbsup"), (team.admin.pk, "thumbsup"), (team.admin.pk, "tada")]
    )


def test_reacting_stamps_the_change_for_resuming_clients(team, message):
    message_post(sender=team.owner, channel=team.general, text="second")
    reaction_add(actor=team.owner, message=message, emoji="eyes")
    assert Message.objects.get(pk=message.pk).changed_at_seq == 2


@pytest.mark.parametrize("emoji", ["", "thumbs up", "💥", "a" * 101, ":bad/name:"])
def test_not_a_shortcode_is_invalid_emoji(team, message, emoji):
    with refused(ErrorCode.INVALID_EMOJI):
        reaction_add(actor=team.owner, message=message, emoji=emoji)


def test_same_reaction_twice_is_already_reacted(team, message):
    reaction_add(actor=team.owner, message=message, emoji="eyes")
    with refused(ErrorCode.ALREADY_REACTED):
        reaction_add(actor=team.owner, message=message, emoji=":eyes:")


def test_removing_your_reaction(team, message):
    reaction_add(actor=team.owner, message=message, emoji="eyes")
    reaction_add(actor=team.admin, message=message, emoji="eyes")
    reaction_remove(actor=team.owner, message=message, emoji="eyes")
    assert _reactions(message) == [(team.admin.pk, "eyes")]


def test_removing_a_reaction_you_did_not_make_is_no_reaction(team, message):
    reaction_add(actor=team.admin, message=message, emoji="eyes")
    with refused(ErrorCode.NO_REACTION):
        reaction_remove(actor=team.owner, message=message, emoji="eyes")


def test_non_member_cannot_react(team, message):
    with refused(ErrorCode.CHANNEL_NOT_FOUND):
        reaction_add(actor=team.guest, message=message, emoji="eyes")


def test_deleted_message_cannot_get_reactions(team, message):
    message_delete(actor=team.member, message=message)
    with refused(ErrorCode.MESSAGE_NOT_FOUND):
        reaction_add(actor=team.owner, message=Message.objects.get(pk=message.pk), emoji="eyes")


def test_archived_channel_takes_no_reactions(team):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="closed")
    message = message_post(sender=team.member, channel=channel, text="final")
    channel_archive(actor=team.member, channel=channel)
    with refused(ErrorCode.IS_ARCHIVED):
        reaction_add(actor=team.member, message=message, emoji="eyes")


def test_a_channel_archived_since_it_was_read_takes_no_reaction_and_keeps_none(team):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="closing")
    message = message_post(sender=team.member, channel=channel, text="final")
    channel_archive(actor=team.member, channel=Channel.objects.get(pk=channel.pk))
    assert message.channel.is_archived is False  # the caller's copy, read before the archive
    with refused(ErrorCode.IS_ARCHIVED):
        reaction_add(actor=team.member, message=message, emoji="eyes")
    assert _reactions(message) == []
    assert Channel.objects.get(pk=channel.pk).change_count == channel.change_count


def test_a_reaction_takes_the_channels_lock_with_its_last_statement(team, message, django_assert_num_queries):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite stamps a change in steps: its writers take turns on the whole database")
    # The reactor's standing (one statement), whether the channel is large (its reactions then go live to its
    # viewers only), the savepoint, the insert and its release, one statement for the channel's lock, the
    # change count and the message's stamp, and the test's savepoint for the transaction.
    with django_assert_num_queries(8) as reacting:
        reaction_add(actor=team.owner, message=message, emoji="eyes")
    statements = [query["sql"] for query in reacting.captured_queries]
    assert statements[-2].lstrip().startswith("WITH claimed AS (")
    assert Message.objects.get(pk=message.pk).changed_at_seq == message.changed_at_seq == 1
