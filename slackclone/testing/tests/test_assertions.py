"""The test helpers must be able to fail: a guard that never trips would prove nothing."""

import pytest
from django.db import transaction

from chat.models import Channel, Message
from chat.services import message_post
from realtime import transport
from realtime.layer import BatchedRedisChannelLayer
from slackclone.errors import DomainError, ErrorCode
from slackclone.testing.assertions import nothing_written, refused

pytestmark = pytest.mark.django_db


def _write_a_message_then_refuse(team):
    Message.objects.create(channel=team.general, seq=1, ts="1.000001", author=team.member, text="sneaky")
    raise DomainError(ErrorCode.NO_TEXT, "refused, but too late")


def _move_last_seq_then_refuse(team):
    Channel.objects.filter(pk=team.general.pk).update(last_seq=7)
    raise DomainError(ErrorCode.NO_TEXT, "refused, but too late")


def test_refused_fails_when_the_refused_call_wrote_something(team):
    with pytest.raises(AssertionError, match="changed the database"), refused(ErrorCode.NO_TEXT):
        _write_a_message_then_refuse(team)


def test_refused_fails_when_last_seq_moved(team):
    with pytest.raises(AssertionError, match="last_seq"), refused(ErrorCode.NO_TEXT):
        _move_last_seq_then_refuse(team)


def test_refused_fails_on_another_error_code(team):
    with pytest.raises(AssertionError, match="expected no_text, got msg_too_long"), refused(ErrorCode.NO_TEXT):
        raise DomainError(ErrorCode.MSG_TOO_LONG, "too long")


def test_refused_fails_when_nothing_was_refused(team):
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"), refused(ErrorCode.NO_TEXT):
        pass


def test_nothing_written_fails_when_an_event_is_left_scheduled(team):
    with pytest.raises(AssertionError, match="events scheduled"), nothing_written():
        transaction.on_commit(lambda: None)


def test_listener_is_on_the_real_redis_layer(team, layer_listener):
    listener = layer_listener(transport.channel_group(team.random))
    assert isinstance(listener.layer, BatchedRedisChannelLayer)


def test_listener_fails_the_test_when_nothing_arrives(team, layer_listener):
    listener = layer_listener(transport.channel_group(team.random))
    with pytest.raises(AssertionError, match="no layer message"):
        listener.receive(timeout=0.2)


def test_listener_hears_only_its_own_groups(team, layer_listener, django_capture_on_commit_callbacks):
    general, random = (layer_listener(transport.channel_group(c)) for c in (team.general, team.random))
    team.member.channel_memberships.create(channel=team.random)
    with django_capture_on_commit_callbacks(execute=True):
        message_post(sender=team.member, channel=team.random, text="to random")
        message_post(sender=team.member, channel=team.general, text="to general")
    assert general.receive_event()["text"] == "to general"
    assert random.receive_event()["text"] == "to random"
    assert general.drain(quiet=0.2) == []
    assert random.drain(quiet=0.2) == []
