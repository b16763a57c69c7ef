"""Read receipts: the selector's rule (who is named, where there are none) and when members hear of them."""

from __future__ import annotations

import json

import pytest

from chat.models import ChannelKind, ChannelMember
from chat.selectors import ReadReceipts, read_receipts
from chat.services import channel_mark_read, dm_open, message_delete, message_post, user_set_send_read_receipts
from realtime import transport
from slackclone.errors import ErrorCode
from slackclone.testing.assertions import refused
from slackclone.testing.factories import (
    ChannelFactory,
    ChannelMemberFactory,
    UserFactory,
    WorkspaceFactory,
    add_member,
)
from workspaces.models import Membership, Role
from workspaces.services import member_deactivate, workspace_set_read_receipts

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch):
    """(groups, event) for every event published, in order, whether or not the test commits."""
    sent: list[tuple[list[str], dict]] = []
    original = transport._on_commit

    def record(groups, message):
        if message["type"] == "chat.event":
            sent.append((list(groups), json.loads(message["payload"])))
        original(groups, message)

    monkeypatch.setattr(transport, "_on_commit", record)
    return sent


def _receipt_events(published):
    return [(groups, event) for groups, event in published if event["type"] == "read_receipts_changed"]


@pytest.fixture
def on(team):
    workspace_set_read_receipts(actor=team.owner, workspace=team.workspace, enabled=True)
    team.workspace.refresh_from_db()
    return team


def _dm(team, actor, *others):
    channel, _ = dm_open(actor=actor, workspace=team.workspace, users=list(others))
    channel.workspace = team.workspace
    return channel


def test_off_by_default_so_a_dm_has_none(team):
    dm = _dm(team, team.member, team.owner)
    message_post(sender=team.owner, channel=dm, text="hi")
    channel_mark_read(actor=team.member, channel=dm, seq=1)
    assert team.workspace.read_receipts is False
    assert read_receipts(channel=dm, reader=team.owner) is None


def test_the_reader_sees_who_read_the_last_message_but_not_themselves_nor_its_author(on):
    team = on
    dm = _dm(team, team.owner, team.member, team.other_member)
    message_post(sender=team.owner, channel=dm, text="lunch?")
    assert read_receipts(channel=dm, reader=team.owner) == ReadReceipts(seq=1, seen_by=[])
    channel_mark_read(actor=team.member, channel=dm, seq=1)
    assert read_receipts(channel=dm, reader=team.owner) == ReadReceipts(seq=1, seen_by=[team.member.public_id])
    assert read_receipts(channel=dm, reader=team.member) == ReadReceipts(seq=1, seen_by=[])
    channel_mark_read(actor=team.other_member, channel=dm, seq=1)
    assert read_receipts(channel=dm, reader=team.member).seen_by == [team.other_member.public_id]


def test_a_new_message_starts_with_nobody_and_a_deleted_one_leaves_the_one_before(on):
    team = on
    dm = _dm(team, team.owner, team.member)
    message_post(sender=team.owner, channel=dm, text="one")
    channel_mark_read(actor=team.member, channel=dm, seq=1)
    second = message_post(sender=team.owner, channel=dm, text="two")
    assert read_receipts(channel=dm, reader=team.owner) == ReadReceipts(seq=2, seen_by=[])
    message_delete(actor=team.owner, message=second)
    assert read_receipts(channel=dm, reader=team.owner) == ReadReceipts(seq=1, seen_by=[team.member.public_id])


def test_thread_replies_do_not_count_as_the_last_message(on):
    team = on
    dm = _dm(team, team.owner, team.member)
    root = message_post(sender=team.owner, channel=dm, text="root")
    channel_mark_read(actor=team.member, channel=dm, seq=1)
    message_post(sender=team.member, channel=dm, text="reply", thread_ts=root.ts)
    assert read_receipts(channel=dm, reader=team.owner) == ReadReceipts(seq=1, seen_by=[team.member.public_id])


def test_people_who_do_not_send_receipts_or_are_deactivated_are_never_named(on):
    team = on
    dm = _dm(team, team.owner, team.member, team.other_member)
    message_post(sender=team.owner, channel=dm, text="hi")
    channel_mark_read(actor=team.member, channel=dm, seq=1)
    channel_mark_read(actor=team.other_member, channel=dm, seq=1)
    user_set_send_read_receipts(actor=team.member, enabled=False)
    assert read_receipts(channel=dm, reader=team.owner).seen_by == [team.other_member.public_id]
    member_deactivate(actor=team.owner, workspace=team.workspace, user=team.other_member)
    assert read_receipts(channel=dm, reader=team.owner).seen_by == []


def test_public_and_private_channels_never_have_receipts(on):
    team = on
    message_post(sender=team.owner, channel=team.general, text="hi")
    channel_mark_read(actor=team.member, channel=team.general, seq=1)
    private = ChannelFactory(workspace=team.workspace, kind=ChannelKind.PRIVATE, name="small")
    for user in (team.owner, team.member):
        ChannelMemberFactory(channel=private, user=user)
    message_post(sender=team.owner, channel=private, text="hi")
    channel_mark_read(actor=team.member, channel=private, seq=1)
    assert read_receipts(channel=team.general, reader=team.owner) is None
    assert read_receipts(channel=private, reader=team.owner) is None


def test_a_group_dm_of_more_than_ten_people_has_none(on):
    team = on
    big = ChannelFactory(workspace=team.workspace, kind=ChannelKind.GROUP_DM)
    people = [team.owner, *(add_member(team.workspace) for _ in range(10))]
    ChannelMember.objects.bulk_create(ChannelMember(channel=big, user=person) for person in people)
    message_post(sender=team.owner, channel=big, text="all of us")
    channel_mark_read(actor=people[1], channel=big, seq=1)
    assert read_receipts(channel=big, reader=team.owner) is None
    ChannelMember.objects.filter(channel=big, user=people[-1]).delete()
    assert read_receipts(channel=big, reader=team.owner).seen_by == [people[1].public_id]


def test_another_workspace_turning_them_on_shows_none_here(team):
    elsewhere = Membership.objects.create(user=team.owner, workspace=WorkspaceFactory(), role=Role.OWNER)
    workspace_set_read_receipts(actor=team.owner, workspace=elsewhere.workspace, enabled=True)
    dm = _dm(team, team.owner, team.member)
    message_post(sender=team.owner, channel=dm, text="hi")
    channel_mark_read(actor=team.member, channel=dm, seq=1)
    assert read_receipts(channel=dm, reader=team.owner) is None


# --- Events -------------------------------------------------------------------------------------


def test_reading_the_last_message_tells_the_dms_members_once(on, published):
    team = on
    dm = _dm(team, team.owner, team.member)
    message_post(sender=team.owner, channel=dm, text="hi")
    published.clear()
    channel_mark_read(actor=team.member, channel=dm, seq=1)
    channel_mark_read(actor=team.member, channel=dm, seq=1)  # no move, no news
    assert _receipt_events(published) == [
        (
            [transport.channel_group(dm)],
            {"type": "read_receipts_changed", "channel": dm.public_id, "seq": 1, "seen_by": [team.member.public_id]},
        )
    ]


def test_deleting_the_last_message_tells_the_members_about_the_one_before(on, published):
    team = on
    dm = _dm(team, team.owner, team.member)
    message_post(sender=team.owner, channel=dm, text="one")
    channel_mark_read(actor=team.member, channel=dm, seq=1)
    second = message_post(sender=team.owner, channel=dm, text="two")
    published.clear()
    message_delete(actor=team.owner, message=second)
    assert [(event["seq"], event["seen_by"]) for _, event in _receipt_events(published)] == [
        (1, [team.member.public_id])
    ]


def test_the_event_reaches_the_dms_group_on_the_real_layer_after_commit(
    on, layer_listener, django_capture_on_commit_callbacks
):
    team = on
    dm = _dm(team, team.owner, team.member)
    message_post(sender=team.owner, channel=dm, text="hi")
    listener = layer_listener(transport.channel_group(dm))
    outside = layer_listener(transport.user_group(team.other_member), transport.channel_group(team.general))
    with django_capture_on_commit_callbacks(execute=True):
        channel_mark_read(actor=team.member, channel=dm, seq=1)
    found = listener.receive_until(lambda m: '"read_receipts_changed"' in m.get("payload", ""))
    assert json.loads(found[-1]["payload"])["seen_by"] == [team.member.public_id]
    assert not any('"read_receipts_changed"' in m.get("payload", "") for m in outside.drain())


def test_marking_unread_withdraws_the_receipt(on, published):
    team = on
    dm = _dm(team, team.owner, team.member)
    message_post(sender=team.owner, channel=dm, text="hi")
    channel_mark_read(actor=team.member, channel=dm, seq=1)
    published.clear()
    channel_mark_read(actor=team.member, channel=dm, seq=0)
    assert [event["seen_by"] for _, event in _receipt_events(published)] == [[]]


def test_no_event_in_channels_with_the_setting_off_or_from_someone_who_sends_none(team, published):
    dm = _dm(team, team.owner, team.member)
    message_post(sender=team.owner, channel=dm, text="hi")
    channel_mark_read(actor=team.member, channel=dm, seq=1)  # the setting is off
    workspace_set_read_receipts(actor=team.owner, workspace=team.workspace, enabled=True)
    team.workspace.refresh_from_db()
    dm.workspace = team.workspace
    message_post(sender=team.owner, channel=team.general, text="hi")
    channel_mark_read(actor=team.member, channel=team.general, seq=1)  # a channel
    user_set_send_read_receipts(actor=team.other_member, enabled=False)
    other = _dm(team, team.owner, team.other_member)
    message_post(sender=team.owner, channel=other, text="hi")
    published.clear()
    channel_mark_read(actor=team.other_member, channel=other, seq=1)  # sends none
    assert _receipt_events(published) == []


def test_turning_off_sending_tells_each_of_ones_dms_where_receipts_are_shown(on, published):
    team = on
    dm = _dm(team, team.owner, team.member)
    group = _dm(team, team.admin, team.member, team.owner)
    for channel in (dm, group):
        message_post(sender=team.owner, channel=channel, text="hi")
        channel_mark_read(actor=team.member, channel=channel, seq=1)
    published.clear()
    user_set_send_read_receipts(actor=team.member, enabled=False)
    events = {event["channel"]: (groups, event["seen_by"]) for groups, event in _receipt_events(published)}
    assert events == {
        dm.public_id: ([transport.channel_group(dm)], []),
        group.public_id: ([transport.channel_group(group)], []),
    }
    published.clear()
    user_set_send_read_receipts(actor=team.member, enabled=True)
    assert {event["channel"]: event["seen_by"] for _, event in _receipt_events(published)} == {
        dm.public_id: [team.member.public_id],
        group.public_id: [team.member.public_id],
    }


@pytest.mark.parametrize("value", ["no", 0, None])
def test_sending_is_true_or_false(team, value):
    with refused(ErrorCode.INVALID_ARGUMENTS) as error:
        user_set_send_read_receipts(actor=team.member, enabled=value)
    assert error.value.fields == {"send_read_receipts": "invalid"}
    team.member.refresh_from_db()
    assert team.member.send_read_receipts is True


def test_a_deactivated_account_cannot_change_sending(team):
    user = UserFactory(is_active=False)
    with refused(ErrorCode.ACCOUNT_INACTIVE):
        user_set_send_read_receipts(actor=user, enabled=False)
