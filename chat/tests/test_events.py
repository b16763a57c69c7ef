"""Events reach the REAL channel layer (Redis) after commit, and only after commit.

Test transactions never commit, so `django_capture_on_commit_callbacks(execute=True)` runs
what a commit would run. To prove that something was NOT sent, a test sends a known event
afterwards and checks that it is the first thing the listener hears: the layer keeps one
sender's order, so nothing can be hiding before it.
"""

import json

import pytest
from django.db import transaction

from chat.models import Channel, Message
from chat.services import (
    channel_archive,
    channel_create,
    channel_invite,
    channel_join,
    channel_kick,
    channel_mark_read,
    channel_prefs_update,
    dm_open,
    message_delete,
    message_edit,
    message_post,
    reaction_add,
)
from realtime import transport
from slackclone.errors import DomainError, ErrorCode
from slackclone.testing.factories import UserFactory
from workspaces.models import Membership
from workspaces.services import member_add, member_deactivate

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block and then its on-commit callbacks, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _by_type(messages, layer_type):
    return [m for m in messages if m["type"] == layer_type]


def _events(messages):
    return [json.loads(m["payload"]) for m in _by_type(messages, "chat.event")]


def test_posted_message_reaches_the_channel_group_as_a_slack_message_event(team, layer_listener, committed):
    listener = layer_listener(transport.channel_group(team.general))
    with committed():
        message = message_post(sender=team.member, channel=team.general, text="hi <!here>", client_msg_id="c-1")
    event = listener.receive_event()
    assert (
        event.items()
        >= {
            "type": "message",
            "channel": team.general.public_id,
            "user": team.member.public_id,
            "text": "hi <!here>",
            "ts": message.ts,
            "seq": 1,
            "client_msg_id": "c-1",
        }.items()
    )
    assert "subtype" not in event


def test_thread_reply_names_its_thread_and_the_root_announces_its_reply_count(team, layer_listener, committed):
    root = message_post(sender=team.member, channel=team.general, text="root")
    listener = layer_listener(transport.channel_group(team.general))
    with committed():
        reply = message_post(sender=team.owner, channel=team.general, text="reply", thread_ts=root.ts)
    posted, changed = listener.receive_event(), listener.receive_event()
    assert (posted["seq"], posted["thread_ts"], posted["parent_user_id"]) == (2, root.ts, team.member.public_id)
    assert (changed["subtype"], changed["ts"], changed["seq"]) == ("message_changed", root.ts, 2)
    assert (changed["message"]["reply_count"], changed["message"]["latest_reply"]) == (1, reply.ts)


def test_nothing_is_sent_before_commit(team, layer_listener, django_capture_on_commit_callbacks, committed):
    listener = layer_listener(transport.channel_group(team.general))
    with django_capture_on_commit_callbacks(execute=False) as pending:
        message_post(sender=team.member, channel=team.general, text="not yet")
    assert pending, "the service should have scheduled its event for commit"
    with committed():
        message_post(sender=team.member, channel=team.general, text="sentinel")
    assert listener.receive_event()["text"] == "sentinel"


def test_a_refused_call_sends_nothing(team, layer_listener, committed):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="quiet")
    message_post(sender=team.member, channel=channel, text="before archiving")
    channel_archive(actor=team.member, channel=channel)
    listener = layer_listener(transport.channel_group(channel), transport.channel_group(team.general))
    with committed() as callbacks, pytest.raises(DomainError) as info:
        message_post(sender=team.member, channel=channel, text="too late")
    assert info.value.code == ErrorCode.IS_ARCHIVED
    assert callbacks == []
    with committed():
        message_post(sender=team.member, channel=team.general, text="sentinel")
    assert listener.receive_event()["text"] == "sentinel"


def _post_in_a_transaction_that_fails(team):
    with transaction.atomic():
        message_post(sender=team.member, channel=team.general, text="rolled back")
        raise RuntimeError("the caller's transaction fails after the post")


def test_a_rolled_back_transaction_sends_nothing(team, layer_listener, committed):
    listener = layer_listener(transport.channel_group(team.general))
    with committed() as callbacks, pytest.raises(RuntimeError):
        _post_in_a_transaction_that_fails(team)
    assert callbacks == []
    assert not Message.objects.filter(text="rolled back").exists()
    assert Channel.objects.get(pk=team.general.pk).last_seq == 0
    with committed():
        message_post(sender=team.member, channel=team.general, text="sentinel")
    event = listener.receive_event()
    assert (event["text"], event["seq"]) == ("sentinel", 1)


def test_kick_tells_the_channel_and_unsubscribes_the_kicked_users_sockets(team, layer_listener, committed):
    channel = channel_create(actor=team.admin, workspace=team.workspace, name="crew")
    channel_invite(actor=team.admin, channel=channel, users=[team.member])
    channel_listener = layer_listener(transport.channel_group(channel))
    user_listener = layer_listener(transport.user_group(team.member))
    with committed():
        channel_kick(actor=team.admin, channel=channel, user=team.member)
    left = channel_listener.receive_event()
    assert (left["type"], left["user"], left["channel"]) == (
        "member_left_channel",
        team.member.public_id,
        channel.public_id,
    )
    heard = user_listener.receive_until(lambda m: m["type"] == "chat.unsubscribe")
    assert [e["type"] for e in _events(heard)] == ["member_left_channel", "channel_left"]
    assert heard[-1]["groups"] == [transport.channel_group(channel)]


def test_join_subscribes_the_users_sockets_and_tells_the_channel(team, layer_listener, committed):
    channel_listener = layer_listener(transport.channel_group(team.random))
    user_listener = layer_listener(transport.user_group(team.member))
    with committed():
        channel_join(actor=team.member, channel=team.random)
    subscribe = user_listener.receive()
    assert (subscribe["type"], subscribe["groups"]) == ("chat.subscribe", [transport.channel_group(team.random)])
    joined = channel_listener.receive_event()
    assert (joined["type"], joined["user"], joined["channel_type"]) == (
        "member_joined_channel",
        team.member.public_id,
        "C",
    )
    assert user_listener.receive_event()["type"] == "channel_joined"


def test_invite_names_the_inviter(team, layer_listener, committed):
    channel = channel_create(actor=team.member, workspace=team.workspace, name="pals", is_private=True)
    channel_listener = layer_listener(transport.channel_group(channel))
    with committed():
        channel_invite(actor=team.member, channel=channel, users=[team.other_member])
    joined = channel_listener.receive_event()
    assert (joined["user"], joined["inviter"], joined["channel_type"]) == (
        team.other_member.public_id,
        team.member.public_id,
        "G",
    )


def test_mark_read_tells_the_users_other_clients(team, layer_listener, committed):
    for n in range(3):
        message_post(sender=team.owner, channel=team.general, text=f"news {n}")
    user_listener = layer_listener(transport.user_group(team.member))
    with committed():
        channel_mark_read(actor=team.member, channel=team.general, seq=2)
    marked = user_listener.receive_event()
    second = Message.objects.get(channel=team.general, seq=2)
    assert (
        marked.items()
        >= {
            "type": "channel_marked",
            "channel": team.general.public_id,
            "seq": 2,
            "ts": second.ts,
            "unread_count_display": 1,
        }.items()
    )


def test_edit_delete_and_reaction_events_carry_the_channels_seq(team, layer_listener, committed):
    message = message_post(sender=team.member, channel=team.general, text="draft")
    message_post(sender=team.owner, channel=team.general, text="second")
    listener = layer_listener(transport.channel_group(team.general))
    with committed():
        message_edit(actor=team.member, message=message, text="final")
        reaction_add(actor=team.owner, message=message, emoji="tada")
        message_delete(actor=team.member, message=message)
    changed, reacted, deleted = (listener.receive_event() for _ in range(3))
    assert (changed["subtype"], changed["message"]["text"], changed["seq"]) == ("message_changed", "final", 2)
    assert "edited" in changed["message"]
    assert (reacted["type"], reacted["reaction"], reacted["item"]["ts"], reacted["seq"]) == (
        "reaction_added",
        "tada",
        message.ts,
        2,
    )
    assert (deleted["subtype"], deleted["deleted_ts"], deleted["message_seq"]) == ("message_deleted", message.ts, 1)


def test_opening_a_dm_tells_both_people_and_subscribes_them(team, layer_listener, committed):
    mine, theirs = layer_listener(transport.user_group(team.member)), layer_listener(transport.user_group(team.owner))
    with committed():
        dm, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.owner])
    for listener in (mine, theirs):
        heard = listener.receive_until(lambda m: m["type"] == "chat.event")
        assert _by_type(heard, "chat.subscribe")[0]["groups"] == [transport.channel_group(dm)]
        created = _events(heard)[0]
        assert (created["type"], created["channel"]["id"], created["channel"]["is_im"]) == (
            "im_created",
            dm.public_id,
            True,
        )


def test_deactivation_unsubscribes_the_member_and_closes_their_sockets(team, layer_listener, committed):
    user_listener = layer_listener(transport.user_group(team.member))
    with committed():
        member_deactivate(actor=team.owner, workspace=team.workspace, user=team.member)
    heard = user_listener.receive_until(lambda m: m["type"] == "chat.close")
    unsubscribe = _by_type(heard, "chat.unsubscribe")[0]
    assert set(unsubscribe["groups"]) == {
        transport.workspace_group(team.workspace),
        transport.channel_group(team.general),
    }
    assert unsubscribe["workspace"] == team.workspace.public_id, "its token sockets close, the others forget it"
    assert (heard[-1]["code"], heard[-1]["reason"]) == (4401, "account_inactive")


def test_joining_a_workspace_names_it_to_the_persons_sockets(team, layer_listener, committed):
    newcomer = UserFactory()
    user_listener = layer_listener(transport.user_group(newcomer))
    with committed():
        member_add(actor=team.owner, workspace=team.workspace, user=newcomer)
    subscribe = user_listener.receive_until(lambda m: m["type"] == "chat.subscribe")[-1]
    assert subscribe["groups"] == [transport.workspace_group(team.workspace)]
    assert subscribe["workspace"] == team.workspace.public_id


def test_every_event_names_its_workspace(team, outsider, layer_listener, committed):
    other = Membership.objects.get(user=outsider).workspace
    member_add(actor=outsider, workspace=other, user=team.member)
    news = message_post(sender=team.owner, channel=team.general, text="news")
    groups = [
        transport.user_group(team.member),
        transport.workspace_group(team.workspace),
        transport.workspace_group(other),
    ]
    listener = layer_listener(*groups)
    with committed():
        secret = channel_create(actor=team.member, workspace=other, name="hidden", is_private=True)
        channel_prefs_update(actor=team.member, channel=secret, muted=True)
        dm_open(actor=team.member, workspace=other, users=[outsider])
        channel_join(actor=team.member, channel=team.random)
        channel_mark_read(actor=team.member, channel=team.general, seq=news.seq)
        channel_create(actor=team.member, workspace=team.workspace, name="open-plan")
    heard = listener.receive_until(_channel_created("open-plan"), timeout=5)
    published = [(json.loads(m["payload"]), m.get("workspace")) for m in heard if m["type"] == "chat.event"]
    assert {event["type"] for event, _ in published} == {
        "channel_joined",
        "channel_prefs_changed",
        "im_created",
        "channel_marked",
        "channel_created",
    }
    for event, workspace in published:
        channel_id = event["channel"]["id"] if isinstance(event["channel"], dict) else event["channel"]
        assert workspace == Channel.objects.get(public_id=channel_id).workspace.public_id, event


def _channel_created(name):
    def created(message):
        event = json.loads(message["payload"]) if message["type"] == "chat.event" else {}
        return event.get("type") == "channel_created" and event["channel"]["name"] == name

    return created


def test_an_event_cannot_be_published_without_its_workspace():
    with pytest.raises(TypeError):
        transport.publish(["u.UXXXXXXXXXX"], {"type": "channel_marked"})


def test_public_channel_news_goes_to_the_whole_workspace(team, layer_listener, committed):
    workspace_listener = layer_listener(transport.workspace_group(team.workspace))
    with committed():
        channel = channel_create(actor=team.member, workspace=team.workspace, name="announcements")
        channel_archive(actor=team.member, channel=channel)
    created, archived = workspace_listener.receive_event(), workspace_listener.receive_event()
    assert (created["type"], created["channel"]["id"]) == ("channel_created", channel.public_id)
    assert (archived["type"], archived["channel"]) == ("channel_archive", channel.public_id)


def test_every_published_event_type_is_in_the_closed_set():
    with pytest.raises(ValueError, match="made_up_event"):
        transport.publish(["c.CXXXXXXXXXX"], {"type": "made_up_event"}, workspace="TXXXXXXXXXX")
