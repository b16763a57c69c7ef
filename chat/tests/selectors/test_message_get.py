"""message_get: a message by ts in one channel, with its author and its thread's root, in one statement."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.selectors import message_get
from chat.services import channel_create, channel_invite, message_post
from slackclone.errors import DomainError, ErrorCode

pytestmark = pytest.mark.django_db


def test_a_reply_comes_with_its_author_and_root_in_one_statement(team):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="threads")
    channel_invite(actor=team.member, channel=channel, users=[team.owner])
    root = message_post(sender=team.member, channel=channel, text="the root")
    reply = message_post(sender=team.owner, channel=channel, text="a reply", thread_ts=root.ts)

    with CaptureQueriesContext(connection) as queries:
        found = message_get(channel=channel, ts=reply.ts)
        seen = (found.author.public_id, found.thread_root.ts, found.thread_root.author.public_id, found.channel.name)

    assert len(queries) == 1
    assert found.pk == reply.pk
    assert found.text == "a reply"
    assert seen == (team.owner.public_id, root.ts, team.member.public_id, "threads")
    assert found.created_at == reply.created_at  # converted as the ORM converts it


def test_a_message_outside_a_thread_has_no_root(team):
    message = message_post(sender=team.member, channel=team.general, text="plain")

    found = message_get(channel=team.general, ts=message.ts)

    assert found.thread_root is None
    assert found.author == team.member


def test_a_ts_of_another_channel_is_not_found(team):
    elsewhere = channel_create(actor=team.member, workspace=team.workspace, name="elsewhere")
    message = message_post(sender=team.member, channel=elsewhere, text="not here")

    with pytest.raises(DomainError) as raised:
        message_get(channel=team.general, ts=message.ts)

    assert raised.value.code == ErrorCode.MESSAGE_NOT_FOUND


def test_an_unknown_ts_is_not_found(team):
    with pytest.raises(DomainError) as raised:
        message_get(channel=team.general, ts="1700000000.000001")

    assert raised.value.code == ErrorCode.MESSAGE_NOT_FOUND
