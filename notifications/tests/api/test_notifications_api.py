"""The REST API of the inbox, scheduled messages and reminders: thin adapters over the same services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.services import channel_create, channel_mark_read, message_post
from notifications.models import DeliveryState, Reminder, ScheduledMessage
from notifications.services import notify_message_posted
from slackclone.testing.api import error_code
from slackclone.testing.factories import workspace_with_owner

pytestmark = pytest.mark.django_db


def inbox_url(team, **query) -> str:
    suffix = "&".join(f"{key}={value}" for key, value in query.items())
    return f"/api/v1/workspaces/{team.workspace.public_id}/notifications" + (f"?{suffix}" if suffix else "")


def notify(sender, channel, text):
    message = message_post(sender=sender, channel=channel, text=text)
    notify_message_posted(message_id=message.pk)
    return message


# --- The inbox -------------------------------------------------------------------------------


def test_inbox_lists_my_notifications_newest_first_with_unread_state(team, client_for):
    first = notify(team.member, team.general, f"<@{team.owner.public_id}> one")
    second = notify(team.admin, team.general, "<!channel> two")
    channel_mark_read(actor=team.owner, channel=team.general, seq=first.seq)

    body = client_for(team.owner).get(inbox_url(team)).json()

    assert [(n["message"]["ts"], n["reason"], n["is_unread"]) for n in body["notifications"]] == [
        (second.ts, "broadcast", True),
        (first.ts, "mention", False),
    ]
    assert body["unread_count"] == 1
    assert body["next"] is None
    # Everyone sees only their own: the member was notified of the second message alone.
    theirs = client_for(team.member).get(inbox_url(team)).json()["notifications"]
    assert [(n["message"]["ts"], n["reason"]) for n in theirs] == [(second.ts, "broadcast")]


def test_inbox_pages_and_filters_unread(team, client_for):
    messages = [notify(team.member, team.general, f"<@{team.owner.public_id}> {n}") for n in range(5)]
    client = client_for(team.owner)
    client.post(f"{inbox_url(team)}/read", {"channel": team.general.public_id, "ts": messages[4].ts})

    page = client.get(inbox_url(team, limit=2, unread_only="true")).json()
    rest = client.get(page["next"]).json()

    assert [n["message"]["ts"] for n in page["notifications"] + rest["notifications"]] == [
        m.ts for m in reversed(messages[:4])
    ]
    assert rest["next"] is None


def test_marking_all_read_clears_the_unread_count(team, client_for):
    for n in range(3):
        notify(team.member, team.general, f"<@{team.owner.public_id}> {n}")
    client = client_for(team.owner)

    body = client.post(f"{inbox_url(team)}/read", {}).json()

    assert body == {"marked": 3, "unread_count": 0}


def test_marking_a_message_without_a_notification_is_not_found(team, client_for):
    message = message_post(sender=team.member, channel=team.general, text="no mention")

    response = client_for(team.owner).post(
        f"{inbox_url(team)}/read", {"channel": team.general.public_id, "ts": message.ts}
    )

    assert response.status_code == 404
    assert error_code(response) == "notification_not_found"


def test_a_token_for_another_workspace_sees_no_inbox(team, client_for):
    other = workspace_with_owner(team.owner)

    response = client_for(team.owner, other).get(inbox_url(team))

    assert response.status_code == 404


# --- Scheduled messages -------------------------------------------------------------------------


def test_schedule_list_edit_and_cancel_a_message(team, client_for):
    client = client_for(team.member)
    post_at = int((timezone.now() + timedelta(hours=1)).timestamp())
    base = f"/api/v1/workspaces/{team.workspace.public_id}/scheduled-messages"

    created = client.post(base, {"channel": team.general.public_id, "text": "later", "post_at": post_at})
    assert created.status_code == 201
    row = created.json()["scheduled_message"]
    assert (row["text"], row["post_at"], row["state"], row["channel"]) == (
        "later",
        post_at,
        "pending",
        team.general.public_id,
    )

    assert [r["id"] for r in client.get(base).json()["scheduled_messages"]] == [row["id"]]
    edited = client.patch(f"/api/v1/scheduled-messages/{row['id']}", {"text": "later, edited"}).json()
    assert edited["scheduled_message"]["text"] == "later, edited"
    assert client.delete(f"/api/v1/scheduled-messages/{row['id']}").json() == {"ok": True}
    assert client.get(base).json()["scheduled_messages"] == []
    assert ScheduledMessage.objects.get().state == DeliveryState.CANCELLED
    again = client.delete(f"/api/v1/scheduled-messages/{row['id']}")
    assert (again.status_code, error_code(again)) == (404, "invalid_scheduled_message_id")


def test_scheduling_in_the_past_or_in_a_hidden_channel_is_refused(team, client_for):
    client = client_for(team.member)
    base = f"/api/v1/workspaces/{team.workspace.public_id}/scheduled-messages"
    hidden = channel_create(actor=team.owner, workspace=team.workspace, name="hidden", is_private=True)
    soon = (timezone.now() + timedelta(hours=1)).isoformat()

    past = client.post(base, {"channel": team.general.public_id, "text": "x", "post_at": 1_000_000})
    secret = client.post(base, {"channel": hidden.public_id, "text": "x", "post_at": soon})
    naive = client.post(base, {"channel": team.general.public_id, "text": "x", "post_at": "2031-01-01T09:00"})

    assert (past.status_code, error_code(past)) == (400, "time_in_past")
    assert (secret.status_code, error_code(secret)) == (404, "channel_not_found")
    assert (naive.status_code, error_code(naive)) == (400, "invalid_arguments")
    assert not ScheduledMessage.objects.exists()


def test_someone_elses_scheduled_message_does_not_exist_for_you(team, client_for):
    post_at = int((timezone.now() + timedelta(hours=1)).timestamp())
    base = f"/api/v1/workspaces/{team.workspace.public_id}/scheduled-messages"
    row = client_for(team.member).post(base, {"channel": team.general.public_id, "text": "x", "post_at": post_at})

    response = client_for(team.owner).get(f"/api/v1/scheduled-messages/{row.json()['scheduled_message']['id']}")

    assert response.status_code == 404


# --- Reminders ------------------------------------------------------------------------------------


def test_create_list_and_cancel_reminders(team, client_for):
    client = client_for(team.member)
    base = f"/api/v1/workspaces/{team.workspace.public_id}/reminders"
    message = message_post(sender=team.owner, channel=team.general, text="the plan")

    about = client.post(base, {"channel": team.general.public_id, "ts": message.ts, "when": "in 20 minutes"})
    plain = client.post(base, {"text": "stretch", "when": "at 9:00 tomorrow"})

    assert (about.status_code, plain.status_code) == (201, 201)
    reminder = about.json()["reminder"]
    assert (reminder["channel"], reminder["ts"], reminder["state"]) == (team.general.public_id, message.ts, "pending")
    assert abs(reminder["time"] - (timezone.now() + timedelta(minutes=20)).timestamp()) < 5
    assert len(client.get(base).json()["reminders"]) == 2
    assert client.delete(f"/api/v1/reminders/{reminder['id']}").json() == {"ok": True}
    assert Reminder.objects.filter(state=DeliveryState.PENDING).count() == 1


def test_a_time_the_server_cannot_read_is_a_clear_error(team, client_for):
    response = client_for(team.member).post(
        f"/api/v1/workspaces/{team.workspace.public_id}/reminders", {"text": "x", "when": "whenever"}
    )

    assert (response.status_code, error_code(response)) == (400, "invalid_time")
    assert response.json()["error"]["fields"] == {"when": "invalid"}


def test_inbox_cursors_answer_the_same_for_anything_not_in_the_inbox(team, outsider, client_for):
    from chat.services import channel_invite, channel_leave, message_delete
    from slackclone.api.pagination import encode_cursor

    secret = channel_create(actor=team.admin, workspace=team.workspace, name="secret", is_private=True)
    channel_invite(actor=team.admin, channel=secret, users=[team.owner])
    left = notify(team.admin, secret, f"<@{team.owner.public_id}> in secret")
    channel_leave(actor=team.owner, channel=secret)
    deleted = notify(team.member, team.general, f"<@{team.owner.public_id}> soon gone")
    message_delete(actor=team.member, message=deleted)
    elsewhere = outsider.memberships.get().workspace
    theirs = notify(outsider, elsewhere.channels.get(name="general"), "theirs")
    kept = notify(team.member, team.general, f"<@{team.owner.public_id}> kept")
    client = client_for(team.owner)

    body = client.get(inbox_url(team)).json()
    assert [n["message"]["ts"] for n in body["notifications"]] == [kept.ts]
    assert body["unread_count"] == 1
    cursors = [encode_cursor(m.channel.public_id, m.ts) for m in (left, deleted, theirs)] + ["not a cursor!"]
    responses = [client.get(inbox_url(team, cursor=cursor)) for cursor in cursors]
    assert {(r.status_code, r.content) for r in responses} == {(responses[-1].status_code, responses[-1].content)}
    assert error_code(responses[-1]) == "invalid_arguments"
    assert client.get(inbox_url(team, cursor=encode_cursor(kept.channel.public_id, kept.ts))).status_code == 200
