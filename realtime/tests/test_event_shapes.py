"""Every event has one declared shape (realtime.event_types): the suite checks each event it sends
against it, docs/protocol.md lists the same shapes, and the REST API's schema the same message."""

from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings

from chat import events as chat_events
from chat.api import serializers
from chat.services import channel_leave, message_edit, message_post
from realtime import event_types, transport
from realtime.event_check import event_problems, fields_markdown
from realtime.resume import build_replay


def _with_extra_field(build):
    def build_with_colour(*args, **kwargs):
        return {**build(*args, **kwargs), "colour": "red"}

    return build_with_colour


# --- The recorder catches a builder that drifts -----------------------------------------------


@pytest.mark.django_db
def test_a_builder_adding_an_undeclared_field_fails_the_test_that_sent_the_event(team, sent_events, monkeypatch):
    monkeypatch.setattr(chat_events, "message_to_wire", _with_extra_field(chat_events.message_to_wire))

    message_post(sender=team.member, channel=team.general, text="hello")

    assert [p.split("  in ")[0] for p in sent_events.problems] == ["message.colour: undeclared field"]
    sent_events.problems.clear()  # this test expects the failure the recorder would report at teardown


@pytest.mark.django_db
def test_a_builder_sending_a_value_of_the_wrong_type_fails_the_test(team, sent_events, monkeypatch):
    def seq_as_text(message, **kwargs):
        wire = to_wire(message, **kwargs)
        return {**wire, "seq": str(wire["seq"])}

    to_wire = chat_events.message_to_wire
    monkeypatch.setattr(chat_events, "message_to_wire", seq_as_text)

    message_post(sender=team.member, channel=team.general, text="hello")

    assert [p.split("  in ")[0] for p in sent_events.problems] == ["message.seq: expected int, got str '1'"]
    sent_events.problems.clear()


@pytest.mark.django_db(transaction=True)
def test_replayed_events_are_checked_as_they_are_encoded(team, sent_events, monkeypatch):
    old = message_post(sender=team.owner, channel=team.general, text="before")
    message_edit(actor=team.owner, message=old, text="after")
    monkeypatch.setattr(chat_events, "message_to_wire", _with_extra_field(chat_events.message_to_wire))
    sent_events.events.clear()

    replay = async_to_sync(build_replay)(team.member.pk, None, {team.general.public_id: 1})

    assert [event["subtype"] for event in sent_events.events] == ["message_changed"]
    assert len(replay.channels[0].events) == 1
    assert [p.split("  in ")[0] for p in sent_events.problems] == ["message.message.colour: undeclared field"]
    sent_events.problems.clear()


# --- The checker itself ---------------------------------------------------------------------


def test_a_declared_event_with_every_field_right_has_no_problems():
    event = {"type": "channel_marked", "channel": "C1", "seq": 3, "ts": "1.000001", "unread_count_display": 0}
    assert event_problems(event) == []


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        ({"type": "mystery"}, "'mystery' is not a declared event type"),
        ({"type": "channel_left"}, "channel_left.channel: missing"),
        ({"type": "channel_left", "channel": {"id": "C1"}}, "channel_left.channel: expected str, got dict"),
        (
            {"type": "presence_change", "presence": "busy", "user": "U1"},
            "presence_change.presence: 'busy' is not one of 'active', 'away'",
        ),
        ({"type": "user_typing", "channel": "C1", "user": "U1", "seq": True}, "user_typing.seq: expected int"),
        ({"type": "channel_left", "channel": "C1", "name": "x"}, "channel_left.name: undeclared field"),
    ],
)
def test_the_checker_names_what_is_wrong(event, problem):
    assert any(found.startswith(problem) for found in event_problems(event)), event_problems(event)


def test_a_hidden_message_event_is_checked_against_its_subtype():
    deleted = {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": "C1",
        "ts": "1.000001",
        "deleted_ts": "1.000001",
        "seq": 4,
        "message_seq": 2,
    }
    assert event_problems(deleted) == []
    assert event_problems({**deleted, "message": {}}) == ["message.message: undeclared field"]


# --- One list of event types ----------------------------------------------------------------------


def test_the_transport_accepts_exactly_the_declared_event_types():
    assert transport.EVENT_TYPES is event_types.EVENT_TYPES
    with pytest.raises(ValueError, match="not a real-time event type"):
        transport.encode_event({"type": "mystery"})


def test_protocol_doc_lists_the_declared_shapes():
    doc = (Path(settings.BASE_DIR) / "docs" / "protocol.md").read_text()
    assert fields_markdown() in doc, "docs/protocol.md is stale: paste `python -m realtime.event_check --markdown`"


@pytest.mark.django_db
def test_leaving_a_channel_tells_the_user_its_id_as_slack_does(team, sent_events):
    channel_leave(actor=team.owner, channel=team.random)
    assert sent_events.of_type("channel_left") == [{"type": "channel_left", "channel": team.random.public_id}]


# --- The REST API documents the same message -------------------------------------------------------


def _serializer_fields(serializer) -> set[str]:
    return set(serializer().fields)


def _keys(shape) -> set[str]:
    return set(shape.__required_keys__ | shape.__optional_keys__)


def test_rest_message_schema_has_every_field_of_the_wire_message():
    assert _serializer_fields(serializers.MessageSerializer) == _keys(event_types.MessageWire)
    assert _serializer_fields(serializers.BotProfileSerializer) == _keys(event_types.BotProfileWire)
    assert _serializer_fields(serializers.MessageIconsSerializer) == _keys(event_types.MessageIconsWire)
