"""message_get: a message by ts in one channel, with its author and its thread's root, in one statement;
message_for_worker: a message by key, with its channel and workspace too, for the jobs that name one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.selectors import message_for_worker, message_get
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


def test_a_worker_reads_a_message_with_its_channel_workspace_author_and_root_in_one_statement(team):
    root = message_post(sender=team.member, channel=team.general, text="the root")
    reply = message_post(sender=team.owner, channel=team.general, text="a reply", thread_ts=root.ts)

    with CaptureQueriesContext(connection) as queries:
        found = message_for_worker(pk=reply.pk)
        seen = (found.channel.name, found.channel.workspace.public_id, found.author.public_id, found.thread_root.ts)

    assert len(queries) == 1
    assert seen == ("general", team.workspace.public_id, team.owner.public_id, root.ts)
    assert (found.text, found.created_at) == ("a reply", reply.created_at)


def test_a_worker_finds_no_message_that_is_gone(team):
    message = message_post(sender=team.member, channel=team.general, text="soon gone")
    pk = message.pk
    message.delete()

    assert message_for_worker(pk=pk) is None
    assert message_for_worker(pk=2**31 - 1) is None
