"""Slash commands: the built-ins do what their menus do, an unknown command is Slack's answer, an app's
command goes to that workspace's enabled app only, and a response_url is good five times for 30 minutes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from chat.models import Channel, ChannelMember, Message
from notifications.models import Reminder
from realtime import transport
from slack_apps import commands
from slack_apps.commands import command_run, commands_available, respond
from slack_apps.manifest import spec_from_options
from slack_apps.models import CommandResponseUrl
from slack_apps.services import app_create, app_set_enabled, app_set_urls
from slack_apps.tests.support import echo_challenges
from slackclone.testing.assertions import refused
from slackclone.testing.http_recorder import Answer, recording_server
from workspaces.models import Membership

pytestmark = pytest.mark.django_db


def run(team, command: str, text: str = "", *, by=None, channel=None):
    return command_run(actor=by or team.owner, channel=channel or team.general, command=command, text=text)


def test_invite_leave_topic_and_me(team):
    run(team, "/invite", f"<@{team.member.public_id}> @{team.admin.email.split('@')[0]}", channel=team.random)
    assert set(team.random.memberships.values_list("user", flat=True)) == {team.owner.pk, team.member.pk, team.admin.pk}

    run(team, "/topic", "Launch week", channel=team.random)
    assert Channel.objects.get(pk=team.random.pk).topic == "Launch week"

    run(team, "/me", "is shipping", channel=team.random)
    assert Message.objects.filter(channel=team.random, author=team.owner, text="_is shipping_").exists()

    run(team, "/leave", by=team.member, channel=team.random)
    assert not ChannelMember.objects.filter(channel=team.random, user=team.member).exists()


def test_remind_mute_status_and_who_answer_only_the_person(team):
    answer = run(team, "/remind", "me to stretch in 20 minutes")
    assert answer.text.startswith("I will remind you “stretch”")
    assert Reminder.objects.get(user=team.owner).text == "stretch"

    assert run(team, "/mute").text == "Muted this conversation."
    assert ChannelMember.objects.get(channel=team.general, user=team.owner).muted
    assert run(team, "/mute").text == "Unmuted this conversation."

    run(team, "/status", ":palm_tree: On holiday")
    team.owner.refresh_from_db()
    assert (team.owner.status_emoji, team.owner.status_text) == (":palm_tree:", "On holiday")
    run(team, "/status", "clear")
    team.owner.refresh_from_db()
    assert (team.owner.status_emoji, team.owner.status_text) == ("", "")

    assert f"<@{team.member.public_id}>" in run(team, "/who").text


@pytest.mark.parametrize(
    ("command", "text", "code"),
    [
        ("/invite", "nobody here", "invalid_arguments"),
        ("/invite", "@no.such.person", "user_not_found"),
        ("/remind", "me sometime", "invalid_time"),
        ("/me", "", "no_text"),
        ("not a command", "", "invalid_arguments"),
    ],
)
def test_a_built_in_given_bad_input_is_refused_with_its_code(team, command, text, code):
    with refused(code):
        run(team, command, text, channel=team.random)


def test_an_unknown_command_is_answered_as_slack_answers_it(team):
    assert run(team, "/nope").text.startswith("/nope is not a valid command.")


def test_commands_run_only_where_the_person_is(team, outsider):
    private = Channel.objects.create(workspace=team.workspace, name="hush", kind="private", created_by=team.owner)
    for person, channel, code in (
        (team.guest, team.random, "channel_not_found"),
        (team.member, private, "channel_not_found"),
        (outsider, team.general, "channel_not_found"),
        (team.member, team.random, "not_in_channel"),
    ):
        with refused(code):
            run(team, "/who", by=person, channel=channel)


def test_an_app_command_reaches_only_its_own_workspace_and_only_while_enabled(team, outsider):
    with recording_server() as server:
        server.respond = echo_challenges
        app, _ = app_create(
            actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Ship", commands=["/ship"])
        )
        app_set_urls(actor=team.admin, app=app, request_url=f"{server.url}/slack/events")
        server.received.clear()
        server.answers = [Answer(200, {"Content-Type": "application/json"}, b'{"text": "shipping"}')]

        assert run(team, "/ship", "v2", by=team.member).text == "shipping"
        (received,) = server.received
        assert received.headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert "command=%2Fship" in received.body.decode()
        assert "X-Slack-Signature" in received.headers

        elsewhere = Membership.objects.get(user=outsider).workspace
        their_channel = Channel.objects.create(workspace=elsewhere, name="theirs", created_by=outsider)
        ChannelMember.objects.create(channel=their_channel, user=outsider)
        assert run(team, "/ship", by=outsider, channel=their_channel).text.startswith("/ship is not a valid command")

        app_set_enabled(actor=team.admin, app=app, enabled=False)
        assert run(team, "/ship", by=team.member).text.startswith("/ship is not a valid command")
        assert len(server.received) == 1
        assert [c.command for c in commands_available(actor=team.member, channel=team.general)] == [
            "/invite",
            "/leave",
            "/me",
            "/mute",
            "/remind",
            "/status",
            "/topic",
            "/who",
        ]


def test_an_app_that_does_not_answer_in_time_is_reported_as_slack_reports_it(team, monkeypatch):
    monkeypatch.setattr(commands, "TIMEOUT_SECONDS", 0.2)
    with recording_server() as server:
        server.respond = echo_challenges
        app, _ = app_create(
            actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Slow", commands=["/slow"])
        )
        app_set_urls(actor=team.admin, app=app, request_url=f"{server.url}/slack/events")
        server.answers = [Answer(200, delay=0.5)]
        assert run(team, "/slow").text == '/slow failed with the error "operation_timeout"'


def response_secret(team) -> tuple[str, CommandResponseUrl]:
    with recording_server() as server:
        server.respond = echo_challenges
        app, _ = app_create(
            actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Later", commands=["/later"])
        )
        app_set_urls(actor=team.admin, app=app, request_url=f"{server.url}/slack/events")
        server.received.clear()
        run(team, "/later", by=team.member)
        url = dict(pair.split("=", 1) for pair in server.received[0].body.decode().split("&"))["response_url"]
    secret = url.rsplit("%2F", 1)[-1]
    return secret, CommandResponseUrl.objects.get()


def test_a_response_url_answers_five_times_then_says_used_url(team):
    secret, _ = response_secret(team)
    for index in range(5):
        respond(secret=secret, body=json.dumps({"text": f"answer {index}", "response_type": "in_channel"}).encode())
    assert Message.objects.filter(channel=team.general, text__startswith="answer ").count() == 5
    with refused("used_url"):
        respond(secret=secret, body=b'{"text": "one too many"}')


def test_a_response_url_expires_after_thirty_minutes_and_a_made_up_one_is_not_found(team):
    secret, row = response_secret(team)
    CommandResponseUrl.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with refused("expired_url"):
        respond(secret=secret, body=b'{"text": "too late"}')
    with refused("not_found"):
        respond(secret="x" * 43, body=b'{"text": "who?"}')
    with refused("invalid_arguments"):
        respond(secret=secret, body=b"")


def answer(secret: str, **body) -> None:
    respond(secret=secret, body=json.dumps(body).encode())


def test_replace_original_and_delete_original_act_on_the_message_posted_in_the_channel(team):
    secret, row = response_secret(team)
    answer(secret, text="Deploying…", response_type="in_channel")
    posted = Message.objects.get(channel=team.general, text="Deploying…")

    answer(secret, text="Deployed v2", replace_original=True)
    posted.refresh_from_db()
    assert (posted.text, posted.edited_at is not None) == ("Deployed v2", True)
    assert not Message.objects.filter(channel=team.general, text="Deployed v2").exclude(pk=posted.pk).exists()

    answer(secret, delete_original=True)
    posted.refresh_from_db()
    assert posted.is_deleted
    answer(secret, delete_original=True)  # nothing left to delete: nothing happens
    assert CommandResponseUrl.objects.get(pk=row.pk).uses_left == 1


def test_replace_original_and_delete_original_reach_only_the_person_for_an_ephemeral_answer(
    team, layer_listener, django_capture_on_commit_callbacks
):
    secret, _ = response_secret(team)
    person = layer_listener(transport.user_group(team.member))
    bystander = layer_listener(transport.user_group(team.owner))
    with django_capture_on_commit_callbacks(execute=True):
        answer(secret, text="Working on it")
        answer(secret, text="Done", replace_original=True)
        answer(secret, delete_original=True)

    shown, replaced, withdrawn = (person.receive_event()["message"] for _ in range(3))
    assert (shown["text"], replaced["text"]) == ("Working on it", "Done")
    assert shown["ts"] == replaced["ts"] == withdrawn["ts"]
    assert withdrawn["deleted"] is True
    assert bystander.drain() == []
    assert not Message.objects.filter(text__in=["Working on it", "Done"]).exists()


def test_replacing_a_message_deleted_meanwhile_says_message_not_found(team):
    secret, _ = response_secret(team)
    answer(secret, text="Soon", response_type="in_channel")
    Message.objects.filter(text="Soon").update(deleted_at=timezone.now())
    with refused("message_not_found"):
        answer(secret, text="Now", replace_original=True)


def test_response_urls_a_day_past_their_expiry_are_forgotten(team):
    _, row = response_secret(team)
    assert commands.response_urls_forget_expired(now=row.expires_at + timedelta(hours=23)) == 0
    assert commands.response_urls_forget_expired(now=row.expires_at + timedelta(days=1, seconds=1)) == 1
    assert not CommandResponseUrl.objects.exists()


def test_chat_command_is_for_people_not_bots(client, team):
    _, credentials = app_create(actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Bot"))
    body = client.post(
        "/api/chat.command",
        {"channel": team.general.public_id, "command": "/who"},
        HTTP_AUTHORIZATION=f"Bearer {credentials.bot_token}",
    ).json()
    assert body == {"ok": False, "error": "not_allowed_token_type"}


def test_the_rest_api_lists_and_runs_commands_where_the_person_is(client, team, outsider):
    client.force_login(team.member)
    url = f"/api/v1/channels/{team.general.public_id}/commands"
    listed = client.get(url).json()["commands"]
    assert {
        "command": "/who",
        "description": "List the people in this conversation",
        "usage_hint": "",
        "app_name": "",
    } in listed
    ran = client.post(url, {"command": "/me", "text": "is here"}, content_type="application/json").json()
    assert ran == {"response": ""}
    assert Message.objects.filter(channel=team.general, author=team.member, text="_is here_").exists()
    bad = client.post(url, {"command": "who"}, content_type="application/json")
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid_arguments")
    elsewhere = client.get(f"/api/v1/channels/{team.random.public_id}/commands")
    assert elsewhere.json()["error"]["code"] == "not_in_channel"
    client.force_login(outsider)
    assert client.get(url).json()["error"]["code"] == "channel_not_found"
