"""Modals and Home tabs: views.open/push/update/publish as Slack answers them, submissions and what the app's
answer does, closing, actions in a view, App Home, and who may see and act on which view."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from realtime import transport
from slack_apps import interactions
from slack_apps.manifest import spec_from_options
from slack_apps.models import AppEvent, View
from slack_apps.services import app_create, app_set_enabled, app_set_urls
from slack_apps.surfaces import views_forget_closed
from slack_apps.tests.support import echo_challenges
from slack_apps.triggers import trigger_issue
from slackclone.testing.api import error_code
from slackclone.testing.http_recorder import Answer, recording_server

pytestmark = pytest.mark.django_db


def modal(title: str = "Request", **more) -> dict:
    return {
        "type": "modal",
        "callback_id": "request",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Send"},
        "blocks": [
            {
                "type": "input",
                "block_id": "reason",
                "label": {"type": "plain_text", "text": "Reason"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            },
            {"type": "actions", "block_id": "more", "elements": [
                {"type": "button", "action_id": "help", "text": {"type": "plain_text", "text": "Help"}, "value": "h"}]},
        ],
        **more,
    }  # fmt: skip


HOME = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Welcome *home*"}}]}


@pytest.fixture
def app_server(team):
    """An enabled app whose interactivity URL records what it is sent and answers as told."""
    with recording_server() as server:
        server.respond = echo_challenges
        app, credentials = app_create(
            actor=team.admin,
            workspace=team.workspace,
            spec=spec_from_options(name="Helpdesk", events=["app_home_opened"]),
        )
        app_set_urls(actor=team.admin, app=app, interactivity_url=f"{server.url}/slack/interactive")
        server.received.clear()
        server.app, server.token = app, credentials.bot_token
        yield server


def call(client, token: str, method: str, **args) -> dict:
    body = {key: json.dumps(value) if isinstance(value, dict) else value for key, value in args.items()}
    return client.post(f"/api/{method}", body, HTTP_AUTHORIZATION=f"Bearer {token}").json()


def opened(client, app_server, person, view=None) -> dict:
    trigger = trigger_issue(app_pk=app_server.app.pk, user_pk=person.pk)
    answer = call(client, app_server.token, "views.open", trigger_id=trigger, view=view or modal())
    assert answer["ok"] is True, answer
    return answer["view"]


def sent(server) -> dict:
    return json.loads(parse_qs(server.received[-1].body.decode())["payload"][0])


def test_views_open_answers_slacks_view_and_shows_it_only_to_the_person(
    client, team, app_server, layer_listener, django_capture_on_commit_callbacks
):
    person = layer_listener(transport.user_group(team.member))
    bystander = layer_listener(transport.user_group(team.other_member))
    with django_capture_on_commit_callbacks(execute=True):
        view = opened(client, app_server, team.member, modal(private_metadata="ticket-7", external_id="req-1"))
    assert view["id"].startswith("V")
    assert (view["type"], view["callback_id"], view["private_metadata"]) == ("modal", "request", "ticket-7")
    assert view["root_view_id"] == view["id"]
    assert (view["app_id"], view["bot_id"]) == (app_server.app.public_id, app_server.app.bot_user.public_id)
    assert view["blocks"][0]["block_id"] == "reason"
    event = person.receive_event()
    assert (event["type"], event["view"]["id"]) == ("view_opened", view["id"])
    assert bystander.drain() == []


def test_a_trigger_id_is_spent_once_expires_after_three_seconds_and_is_its_apps_only(client, team, app_server):
    trigger = trigger_issue(app_pk=app_server.app.pk, user_pk=team.member.pk)
    assert call(client, app_server.token, "views.open", trigger_id=trigger, view=modal())["ok"] is True
    again = call(client, app_server.token, "views.open", trigger_id=trigger, view=modal())
    assert again["error"] == "exchanged_trigger_id"
    late = trigger_issue(app_pk=app_server.app.pk, user_pk=team.member.pk, now=timezone.now() - timedelta(seconds=4))
    assert call(client, app_server.token, "views.open", trigger_id=late, view=modal())["error"] == "expired_trigger_id"
    _, other = app_create(actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Other"))
    theirs = trigger_issue(app_pk=app_server.app.pk, user_pk=team.member.pk)
    assert call(client, other.bot_token, "views.open", trigger_id=theirs, view=modal())["error"] == "invalid_trigger_id"


def test_bad_views_are_refused_with_slacks_errors(client, team, app_server):
    def open_with(view):
        trigger = trigger_issue(app_pk=app_server.app.pk, user_pk=team.member.pk)
        return call(client, app_server.token, "views.open", trigger_id=trigger, view=view)

    assert open_with(modal(title="x" * 25))["error"] == "invalid_arguments"
    assert open_with({**modal(), "type": "home"})["error"] == "invalid_arguments"
    assert open_with({k: v for k, v in modal().items() if k != "submit"})["error"] == "invalid_arguments"
    bad_blocks = open_with(modal(blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": ""}}]))
    assert bad_blocks["error"] == "invalid_blocks"
    assert bad_blocks["errors"] == ["must be more than 0 characters [json-pointer:/blocks/0/text/text]"]
    huge = modal(private_metadata="", blocks=[{"type": "divider"}] * 100)
    huge["callback_id"] = "x" * 255
    huge["blocks"] = [{"type": "section", "text": {"type": "mrkdwn", "text": "y" * 3000}}] * 90
    assert open_with(huge)["error"] == "view_too_large"
    assert open_with(modal(external_id="one"))["ok"] is True
    assert open_with(modal(external_id="one"))["error"] == "duplicate_external_id"
    assert View.objects.count() == 1


def test_a_persons_token_cannot_show_views(client, team, app_server):
    from integrations.tokens import api_token_create

    token = api_token_create(actor=None, user=team.member, workspace=team.workspace)[1]
    trigger = trigger_issue(app_pk=app_server.app.pk, user_pk=team.member.pk)
    assert call(client, token, "views.open", trigger_id=trigger, view=modal())["error"] == "not_allowed_token_type"


def test_views_update_by_id_or_external_id_checks_the_hash(client, team, app_server):
    view = opened(client, app_server, team.member, modal(external_id="ticket"))
    updated = call(
        client, app_server.token, "views.update", view_id=view["id"], hash=view["hash"], view=modal("Step 2")
    )
    assert updated["view"]["title"]["text"] == "Step 2"
    assert updated["view"]["hash"] != view["hash"]
    stale = call(client, app_server.token, "views.update", view_id=view["id"], hash=view["hash"], view=modal("Step 3"))
    assert stale["error"] == "hash_conflict"
    by_external = call(client, app_server.token, "views.update", external_id="ticket", view=modal("Step 3"))
    assert by_external["view"]["id"] == view["id"]
    assert call(client, app_server.token, "views.update", view_id="V0000000000", view=modal())["error"] == "not_found"
    _, other = app_create(actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Other"))
    assert call(client, other.bot_token, "views.update", view_id=view["id"], view=modal())["error"] == "not_found"


def test_views_push_stacks_three_at_most_from_a_trigger_in_the_modal(client, team, app_server):
    root = opened(client, app_server, team.member)
    app = app_server.app
    not_from_a_modal = trigger_issue(app_pk=app.pk, user_pk=team.member.pk)
    assert call(client, app_server.token, "views.push", trigger_id=not_from_a_modal, view=modal())["error"] == (
        "invalid_trigger_id"
    )
    top = View.objects.get(public_id=root["id"])
    for step in (2, 3):
        trigger = trigger_issue(app_pk=app.pk, user_pk=team.member.pk, view_pk=top.pk)
        pushed = call(client, app_server.token, "views.push", trigger_id=trigger, view=modal(f"Step {step}"))["view"]
        assert (pushed["root_view_id"], pushed["previous_view_id"]) == (root["id"], top.public_id)
        top = View.objects.get(public_id=pushed["id"])
    trigger = trigger_issue(app_pk=app.pk, user_pk=team.member.pk, view_pk=top.pk)
    assert (
        call(client, app_server.token, "views.push", trigger_id=trigger, view=modal())["error"] == "push_limit_reached"
    )


def submit(client, view_id: str, reason: str = "because"):
    state = {"values": {"reason": {"value": {"type": "plain_text_input", "value": reason}}}}
    return client.post("/api/v1/interactions/view-submission", {"view_id": view_id, "state": state}, format="json")


def test_a_submission_reaches_the_app_and_its_answer_decides_what_the_modal_does(client_for, client, team, app_server):
    view = opened(client, app_server, team.member)
    person = client_for(team.member)
    app_server.answers = [Answer(200, {"Content-Type": "application/json"}, json.dumps(
        {"response_action": "errors", "errors": {"reason": "Say more"}}).encode())]  # fmt: skip
    answer = submit(person, view["id"], "no").json()
    assert answer == {"ok": True, "response_action": "errors", "errors": {"reason": "Say more"}}
    payload = sent(app_server)
    assert payload["type"] == "view_submission"
    assert payload["view"]["state"]["values"]["reason"]["value"]["value"] == "no"
    assert (payload["user"]["id"], payload["view"]["id"]) == (team.member.public_id, view["id"])
    for action, expected_title in (("update", "Updated"), ("push", "Pushed")):
        body = {"response_action": action, "view": modal(expected_title)}
        app_server.answers = [Answer(200, {"Content-Type": "application/json"}, json.dumps(body).encode())]
        answer = submit(person, view["id"]).json()
        assert (answer["response_action"], answer["view"]["title"]["text"]) == (action, expected_title)
    app_server.answers = [Answer(200)]
    assert submit(person, view["id"]).json() == {"ok": True, "response_action": None}
    assert not View.objects.filter(closed_at__isnull=True, kind="modal").exists()
    assert (submit(person, view["id"]).status_code, error_code(submit(person, view["id"]))) == (404, "view_not_found")


def test_an_app_that_does_not_answer_a_submission_changes_nothing(client_for, client, team, app_server, monkeypatch):
    monkeypatch.setattr(interactions, "ACK_SECONDS", 0.2)
    view = opened(client, app_server, team.member)
    app_server.answers = [Answer(200, delay=0.5)]
    response = submit(client_for(team.member), view["id"])
    assert (response.status_code, error_code(response)) == (504, "app_did_not_respond")
    assert View.objects.get(public_id=view["id"]).closed_at is None


def test_only_the_person_a_view_is_shown_to_can_submit_close_or_act_on_it(
    client_for, client, team, app_server, outsider
):
    view = opened(client, app_server, team.member)
    action = {"block_id": "more", "action_id": "help", "type": "button"}
    for someone in (team.other_member, team.admin, team.guest, outsider):
        other = client_for(someone)
        assert error_code(submit(other, view["id"])) == "view_not_found"
        closed = other.post("/api/v1/interactions/view-closed", {"view_id": view["id"]}, format="json")
        assert error_code(closed) == "view_not_found"
        acted = other.post(
            "/api/v1/interactions/block-actions",
            {"container": {"type": "view", "view_id": view["id"]}, "action": action},
            format="json",
        )
        assert error_code(acted) == "view_not_found"
    assert app_server.received == []
    app_set_enabled(actor=team.admin, app=app_server.app, enabled=False)
    assert error_code(submit(client_for(team.member), view["id"])) == "view_not_found"


def test_a_click_in_a_modal_sends_block_actions_with_the_view_and_a_trigger_for_push(
    client_for, client, team, app_server
):
    view = opened(client, app_server, team.member)
    body = {
        "container": {"type": "view", "view_id": view["id"]},
        "action": {"block_id": "more", "action_id": "help", "type": "button"},
        "state": {"values": {"reason": {"value": {"type": "plain_text_input", "value": "half typed"}}}},
    }
    assert client_for(team.member).post("/api/v1/interactions/block-actions", body, format="json").status_code == 200
    payload = sent(app_server)
    assert payload["container"] == {"type": "view", "view_id": view["id"]}
    assert payload["actions"][0]["value"] == "h"
    assert payload["view"]["state"]["values"]["reason"]["value"]["value"] == "half typed"
    pushed = call(client, app_server.token, "views.push", trigger_id=payload["trigger_id"], view=modal("Help"))
    assert pushed["view"]["previous_view_id"] == view["id"]


def test_closing_tells_the_app_only_if_it_asked(
    client_for, client, team, app_server, django_capture_on_commit_callbacks
):
    quiet = opened(client, app_server, team.member)
    person = client_for(team.member)
    with django_capture_on_commit_callbacks(execute=True):
        assert person.post("/api/v1/interactions/view-closed", {"view_id": quiet["id"]}, format="json").json() == {
            "ok": True
        }
    assert app_server.received == []
    told = opened(client, app_server, team.member, modal(notify_on_close=True))
    with django_capture_on_commit_callbacks(execute=True):
        person.post("/api/v1/interactions/view-closed", {"view_id": told["id"]}, format="json")
    payload = sent(app_server)
    assert (payload["type"], payload["view"]["id"], payload["is_cleared"]) == ("view_closed", told["id"], True)


def test_views_publish_sets_the_home_tab_and_app_home_opened_tells_the_app(
    client_for, client, team, app_server, outsider
):
    published = call(client, app_server.token, "views.publish", user_id=team.member.public_id, view=HOME)
    assert (published["ok"], published["view"]["type"]) == (True, "home")
    again = call(client, app_server.token, "views.publish", user_id=team.member.public_id, view=HOME, hash="stale")
    assert again["error"] == "hash_conflict"
    assert (
        call(client, app_server.token, "views.publish", user_id="U0000000000", view=HOME)["error"] == "user_not_found"
    )
    person = client_for(team.member)
    app_id = app_server.app.public_id
    home = person.get(f"/api/v1/apps/{app_id}/home").json()
    assert (home["view"]["id"], home["dm_channel"]) == (published["view"]["id"], None)
    opened_tab = person.post(f"/api/v1/apps/{app_id}/home/opened", {"tab": "home"}, format="json").json()
    assert opened_tab["dm_channel"].startswith("D")
    event = json.loads(AppEvent.objects.get(event_type="app_home_opened").event)
    assert (event["user"], event["tab"], event["channel"]) == (team.member.public_id, "home", opened_tab["dm_channel"])
    assert event["view"]["id"] == published["view"]["id"]
    theirs = client_for(outsider).get(f"/api/v1/apps/{app_id}/home")
    assert (theirs.status_code, error_code(theirs)) == (404, "app_not_found")
    other_home = client_for(team.other_member).get(f"/api/v1/apps/{app_id}/home").json()
    assert other_home["view"] is None


def test_closed_views_are_forgotten_after_a_day(client, team, app_server):
    view = opened(client, app_server, team.member)
    View.objects.filter(public_id=view["id"]).update(closed_at=timezone.now() - timedelta(days=2))
    assert views_forget_closed() == 1
