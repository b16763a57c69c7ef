"""App unfurls: link_shared reaches the apps whose unfurl domains a message links to (and only where they can
see the conversation), and chat.unfurl shows their answer under the message, as Slack does."""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from chat.models import Message
from chat.services import channel_create, channel_invite, message_post
from slack_apps.manifest import parse_manifest
from slack_apps.models import EventDelivery
from slack_apps.services import app_create
from slack_apps.tests.support import fanned_out, forget_events
from slackclone.testing.factories import make_team

pytestmark = pytest.mark.django_db


def unfurl_manifest(name: str, domains: list[str], *, events=("link_shared",), scopes=("links:read", "links:write")):
    return json.dumps(
        {
            "display_information": {"name": name},
            "features": {"bot_user": {"display_name": name}, "unfurl_domains": domains},
            "oauth_config": {"scopes": {"bot": ["chat:write", "channels:read", *scopes]}},
            "settings": {"event_subscriptions": {"bot_events": list(events)}},
        }
    )


def unfurl_app(team, *, name="Tracker", domains=("tracker.example",), channel=None, **manifest):
    app, credentials = app_create(
        actor=team.admin,
        workspace=team.workspace,
        spec=parse_manifest(unfurl_manifest(name, list(domains), **manifest)),
    )
    if channel is not None:
        channel_invite(actor=team.owner, channel=channel, users=[app.bot_user])
    forget_events()
    return app, credentials


def link_events(app=None) -> list[dict]:
    fanned_out()
    rows = EventDelivery.objects.select_related("app__workspace", "app__bot_user", "app_event").order_by("pk")
    envelopes = [json.loads(row.body) for row in rows if app is None or row.app_id == app.pk]
    return [envelope["event"] for envelope in envelopes if envelope["event"]["type"] == "link_shared"]


def call(client, method: str, token: str, **args):
    return client.post(f"/api/{method}", args, HTTP_AUTHORIZATION=f"Bearer {token}").json()


# --- link_shared -----------------------------------------------------------------------------------------


def test_a_link_to_an_unfurl_domain_sends_link_shared_to_that_app(team):
    app, _ = unfurl_app(team, channel=team.general)
    message = message_post(
        sender=team.member,
        channel=team.general,
        text="see <https://tracker.example/issues/7|#7> and https://docs.tracker.example/a?b=1, not https://other.example/",
    )
    (event,) = link_events(app)
    assert event["type"] == "link_shared"
    assert (event["channel"], event["user"], event["message_ts"]) == (
        team.general.public_id,
        team.member.public_id,
        message.ts,
    )
    assert event["is_bot_user_member"] is True
    assert event["source"] == "conversations_history"
    assert event["unfurl_id"] == f"{team.general.public_id}.{message.ts}"
    assert event["links"] == [
        {"domain": "tracker.example", "url": "https://tracker.example/issues/7"},
        {"domain": "tracker.example", "url": "https://docs.tracker.example/a?b=1"},
    ]
    assert "thread_ts" not in event
    assert event["event_ts"]


def test_an_edit_that_adds_a_link_of_the_domain_tells_the_app_of_that_link_only(team):
    from chat.services import message_edit

    app, _ = unfurl_app(team, channel=team.general)
    message = message_post(sender=team.member, channel=team.general, text="https://tracker.example/1")
    forget_events()
    message_edit(actor=team.member, message=message, text="https://tracker.example/1 typo, fixed")
    assert link_events(app) == []
    message_edit(actor=team.member, message=message, text="https://tracker.example/1 and https://tracker.example/2")
    (event,) = link_events(app)
    assert event["links"] == [{"domain": "tracker.example", "url": "https://tracker.example/2"}]
    assert event["message_ts"] == message.ts


def test_a_thread_reply_names_its_thread(team):
    app, _ = unfurl_app(team, channel=team.general)
    root = message_post(sender=team.member, channel=team.general, text="root")
    message_post(sender=team.member, channel=team.general, text="https://tracker.example/1", thread_ts=root.ts)
    (event,) = link_events(app)
    assert event["thread_ts"] == root.ts


def test_an_app_hears_link_shared_in_a_public_channel_its_bot_is_not_in(team):
    app, _ = unfurl_app(team)
    message_post(sender=team.owner, channel=team.random, text="https://tracker.example/1")
    (event,) = link_events(app)
    assert event["is_bot_user_member"] is False


def test_a_private_channel_the_bot_is_not_in_sends_nothing(team):
    unfurl_app(team)
    secret = channel_create(actor=team.member, workspace=team.workspace, name="secret", is_private=True)
    forget_events()
    message_post(sender=team.member, channel=secret, text="https://tracker.example/1")
    assert link_events() == []


def test_apps_of_other_domains_or_without_the_subscription_hear_nothing(team):
    tracker, _ = unfurl_app(team, channel=team.general)
    other, _ = unfurl_app(team, name="Other", domains=("other.example",), channel=team.general)
    deaf, _ = unfurl_app(
        team, name="Deaf", domains=("tracker.example",), channel=team.general, events=("channel_created",),
        scopes=("links:write",),
    )  # fmt: skip
    message_post(sender=team.member, channel=team.general, text="https://tracker.example/1 trackerexample.com")
    assert len(link_events(tracker)) == 1
    assert link_events(other) == []
    assert link_events(deaf) == []


def test_another_workspaces_app_with_the_same_domain_hears_nothing(team):
    elsewhere = make_team()
    theirs, _ = unfurl_app(elsewhere, channel=elsewhere.general)
    message_post(sender=team.member, channel=team.general, text="https://tracker.example/1")
    assert link_events(theirs) == []


def test_unfurl_links_false_sends_no_link_shared(team):
    unfurl_app(team, channel=team.general)
    message_post(sender=team.member, channel=team.general, text="https://tracker.example/1", unfurl_links=False)
    assert link_events() == []


def test_a_message_without_links_costs_no_query_for_unfurl_apps(team):
    unfurl_app(team, channel=team.general)
    with CaptureQueriesContext(connection) as captured:
        message_post(sender=team.member, channel=team.general, text="no links here")
    assert not any("unfurl_domains" in query["sql"] for query in captured.captured_queries)
    with CaptureQueriesContext(connection) as captured:
        message_post(sender=team.member, channel=team.general, text="https://tracker.example/1")
    assert sum("unfurl_domains" in query["sql"] for query in captured.captured_queries) == 1


def test_a_manifest_refuses_a_bad_unfurl_domain(team):
    from slackclone.errors import DomainError

    with pytest.raises(DomainError) as refused:
        parse_manifest(unfurl_manifest("Bad", ["https://x.example/path"]))
    assert "/features/unfurl_domains/0" in refused.value.fields


# --- chat.unfurl ---------------------------------------------------------------------------------------


@pytest.fixture
def posted(team):
    app, credentials = unfurl_app(team, channel=team.general)
    message = message_post(sender=team.member, channel=team.general, text="look <https://tracker.example/issues/7>")
    return app, credentials.bot_token, message


def stored(message: Message) -> list[dict]:
    message.refresh_from_db()
    return message.legacy_attachments


def test_chat_unfurl_shows_the_apps_unfurl_under_the_message(client, team, posted, sent_events):
    app, token, message = posted
    unfurls = {"https://tracker.example/issues/7": {"title": "Issue 7", "text": "Crash on start", "color": "good"}}
    with transaction.atomic():
        body = call(
            client, "chat.unfurl", token, channel=team.general.public_id, ts=message.ts, unfurls=json.dumps(unfurls)
        )
    assert body == {"ok": True}
    (attachment,) = stored(message)
    assert attachment["title"] == "Issue 7"
    assert attachment["text"] == "Crash on start"
    assert attachment["app_unfurl_url"] == "https://tracker.example/issues/7"
    assert attachment["is_app_unfurl"] is True
    assert attachment["app_id"] == app.public_id
    changed = [e for e in sent_events.of_type("message") if e.get("subtype") == "message_changed"]
    assert changed[-1]["message"]["attachments"][0]["app_unfurl_url"] == "https://tracker.example/issues/7"
    from chat.selectors import message_get_for_wire
    from chat.wire import message_to_wire

    wire = message_to_wire(message_get_for_wire(channel=team.general, ts=message.ts))
    assert wire["attachments"][0]["is_app_unfurl"] is True


def test_chat_unfurl_by_unfurl_id_and_with_blocks(client, team, posted):
    _, token, message = posted
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Issue 7*"}}]
    unfurls = {"https://tracker.example/issues/7": {"blocks": blocks}}
    body = call(
        client, "chat.unfurl", token, unfurl_id=f"{team.general.public_id}.{message.ts}",
        source="conversations_history", unfurls=json.dumps(unfurls),
    )  # fmt: skip
    assert body == {"ok": True}
    (attachment,) = stored(message)
    assert attachment["blocks"][0]["text"]["text"] == "*Issue 7*"
    assert attachment["blocks"][0]["block_id"]


def test_a_second_unfurl_of_the_same_link_replaces_the_first(client, team, posted):
    _, token, message = posted
    for title in ("first", "second"):
        unfurls = {"https://tracker.example/issues/7": {"title": title}}
        assert call(
            client, "chat.unfurl", token, channel=team.general.public_id, ts=message.ts, unfurls=json.dumps(unfurls)
        )["ok"]
    assert [a["title"] for a in stored(message)] == ["second"]


@pytest.mark.parametrize(
    ("unfurls", "error"),
    [
        ("not json", "invalid_unfurls"),
        (json.dumps(["a list"]), "invalid_unfurls"),
        (json.dumps({"https://tracker.example/issues/7": "text"}), "invalid_unfurls"),
        (json.dumps({"https://tracker.example/issues/7": {"text": "x" * 70_000}}), "invalid_unfurls"),
        (json.dumps({"https://tracker.example/issues/7": {"blocks": [{"type": "section"}]}}), "invalid_unfurls"),
        (json.dumps({"https://tracker.example/issues/8": {"title": "not in the message"}}), "cant_unfurl_url"),
        (json.dumps({"https://other.example/": {"title": "not the app's domain"}}), "cant_unfurl_url"),
    ],
)
def test_chat_unfurl_refuses_bad_unfurls_and_writes_nothing(client, team, posted, unfurls, error):
    _, token, message = posted
    body = call(client, "chat.unfurl", token, channel=team.general.public_id, ts=message.ts, unfurls=unfurls)
    assert (body["ok"], body["error"]) == (False, error)
    assert stored(message) == []


def test_chat_unfurl_of_a_link_in_the_message_but_outside_the_apps_domains(client, team, posted):
    _app, token, _ = posted
    message = message_post(sender=team.member, channel=team.general, text="https://other.example/x")
    unfurls = json.dumps({"https://other.example/x": {"title": "mine?"}})
    body = call(client, "chat.unfurl", token, channel=team.general.public_id, ts=message.ts, unfurls=unfurls)
    assert body["error"] == "cant_unfurl_url"


def test_chat_unfurl_in_a_private_channel_the_bot_is_not_in_is_channel_not_found(client, team, posted):
    _, token, _ = posted
    secret = channel_create(actor=team.member, workspace=team.workspace, name="secret", is_private=True)
    message = message_post(sender=team.member, channel=secret, text="https://tracker.example/issues/7")
    unfurls = json.dumps({"https://tracker.example/issues/7": {"title": "x"}})
    assert call(client, "chat.unfurl", token, channel=secret.public_id, ts=message.ts, unfurls=unfurls)["error"] == (
        "channel_not_found"
    )
    assert (
        call(client, "chat.unfurl", token, unfurl_id=f"{secret.public_id}.{message.ts}", unfurls=unfurls)["error"]
        == "channel_not_found"
    )
    assert stored(message) == []


def test_chat_unfurl_of_another_workspaces_channel_is_channel_not_found(client, team, posted):
    _, token, _ = posted
    elsewhere = make_team()
    message = message_post(sender=elsewhere.member, channel=elsewhere.general, text="https://tracker.example/issues/7")
    unfurls = json.dumps({"https://tracker.example/issues/7": {"title": "x"}})
    body = call(client, "chat.unfurl", token, channel=elsewhere.general.public_id, ts=message.ts, unfurls=unfurls)
    assert body["error"] == "channel_not_found"
    assert stored(message) == []


def test_chat_unfurl_needs_links_write(client, team):
    _, credentials = unfurl_app(team, channel=team.general, scopes=("links:read",))
    message = message_post(sender=team.member, channel=team.general, text="https://tracker.example/issues/7")
    unfurls = json.dumps({"https://tracker.example/issues/7": {"title": "x"}})
    body = call(
        client, "chat.unfurl", credentials.bot_token, channel=team.general.public_id, ts=message.ts, unfurls=unfurls
    )
    assert (body["ok"], body["error"], body["needed"]) == (False, "missing_scope", "links:write")
    assert stored(message) == []


def test_an_app_unfurl_replaces_the_servers_preview_of_that_link(client, team, posted):
    from chat.unfurls.services import message_set_unfurls

    _, token, message = posted
    url = "https://tracker.example/issues/7"
    message_set_unfurls(message=message, unfurls={url: {"from_url": url, "original_url": url, "title": "server"}})
    call(
        client,
        "chat.unfurl",
        token,
        channel=team.general.public_id,
        ts=message.ts,
        unfurls=json.dumps({url: {"title": "app"}}),
    )
    message_set_unfurls(message=message, unfurls={url: {"from_url": url, "original_url": url, "title": "late server"}})
    assert [a["title"] for a in stored(message)] == ["app"]


def test_links_claimed_by_an_app_are_not_previewed_by_the_server(team):
    from chat.signals import links_claimed

    unfurl_app(team)
    answers = links_claimed.send(
        sender=Message, workspace=team.workspace, urls=["https://a.tracker.example/1", "https://else.example/"]
    )
    claimed = set().union(*(answer for _, answer in answers))
    assert claimed == {"https://a.tracker.example/1"}
