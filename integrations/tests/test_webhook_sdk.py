"""slack_sdk's WebhookClient, unchanged, against the live test server: success and every error Slack answers."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from slack_sdk.webhook import WebhookClient

from chat.models import Message
from chat.services import channel_archive, channel_create, channel_kick
from integrations.services import webhook_create, webhook_revoke
from realtime import transport


def send(live_server, path: str, **payload):
    return WebhookClient(live_server.url + path).send_dict(payload)


def test_webhook_client_posts_as_the_webhooks_bot(live_server, team, hook, layer_listener):
    webhook, path = hook
    listener = layer_listener(transport.channel_group(team.general))
    response = send(live_server, path, text="Deployed *api* <!here>", username="ci", icon_emoji=":rocket:")
    assert (response.status_code, response.body) == (200, "ok")

    message = Message.objects.get(channel=team.general, text="Deployed *api* <!here>")
    assert message.author == webhook.bot
    assert (message.bot_username, message.bot_icon_emoji) == ("ci", ":rocket:")
    event = listener.receive_event()
    assert event["subtype"] == "bot_message"
    assert (event["username"], event["icons"], event["bot_id"]) == ("ci", {"emoji": ":rocket:"}, webhook.bot.public_id)
    assert event["bot_profile"]["name"] == "Deploys"


def test_blocks_and_attachments_are_kept_and_the_name_defaults_to_the_webhooks(live_server, team, hook):
    _, path = hook
    client = WebhookClient(live_server.url + path)
    response = client.send(
        text="fallback only",
        blocks=[
            {"type": "header", "text": {"type": "plain_text", "text": "Release 2.1"}},
            {"type": "divider"},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "*3* fixes"},
                "fields": [{"type": "mrkdwn", "text": "by ci"}],
            },
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": "build 42"}, {"type": "plain_text", "text": "green"}],
            },
        ],
        attachments=[
            {
                "pretext": "Details",
                "title": "Changelog",
                "text": "see notes",
                "fields": [{"title": "Risk", "value": "low"}],
            }
        ],
    )
    assert response.body == "ok"
    message = Message.objects.filter(channel=team.general).latest("seq")
    assert message.text == "fallback only"
    assert [block["type"] for block in message.blocks] == ["header", "divider", "section", "context"]
    assert message.legacy_attachments[0]["title"] == "Changelog"
    assert message.bot_username == "Deploys"
    assert (
        send(live_server, path, blocks=[{"type": "header", "text": {"type": "plain_text", "text": "T"}}]).body == "ok"
    )
    assert Message.objects.filter(channel=team.general).latest("seq").text == "T"
    assert send(live_server, path, attachments=[{"fallback": "only a fallback"}]).body == "ok"
    assert Message.objects.filter(channel=team.general).latest("seq").text == "only a fallback"


def test_form_payload_and_thread_replies(live_server, team, hook):
    import json

    import requests

    _, path = hook
    root = send(live_server, path, text="root")
    assert root.body == "ok"
    root_ts = Message.objects.get(channel=team.general, text="root").ts
    form = requests.post(live_server.url + path, data={"payload": json.dumps({"text": "reply", "thread_ts": root_ts})})
    assert (form.status_code, form.text) == (200, "ok")
    reply = Message.objects.get(channel=team.general, text="reply")
    assert reply.thread_root.ts == root_ts
    assert send(live_server, path, text="lost", thread_ts="1.000001").body == "invalid_thread_ts"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2]", "application/json"),
        ("text=hi", "application/x-www-form-urlencoded"),
        ("[" * 100_000, "application/json"),
        ('{"text": "hi", "blocks": ' + "[" * 100_000, "application/json"),
        ("payload=" + "%5B" * 100_000, "application/x-www-form-urlencoded"),
    ],
    ids=["not-json", "not-an-object", "no-payload", "deep", "deep-blocks", "deep-form-payload"],
)
def test_bad_payloads_are_400_invalid_payload(live_server, hook, body, content_type):
    import requests

    _, path = hook
    response = requests.post(live_server.url + path, data=body, headers={"Content-Type": content_type})
    assert (response.status_code, response.text) == (400, "invalid_payload")
    assert response.headers["Content-Type"].startswith("text/plain")


def test_no_text_and_bad_blocks(live_server, hook):
    _, path = hook
    for payload in ({"text": ""}, {"text": "  "}, {"blocks": [{"type": "divider"}]}):
        response = send(live_server, path, **payload)
        assert (response.status_code, response.body) == (400, "no_text")
    bad = send(live_server, path, text="x", blocks="not a list")
    assert (bad.status_code, bad.body) == (400, "invalid_blocks")
    empty_section = send(
        live_server, path, text="x", blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": ""}}]
    )
    assert (empty_section.status_code, empty_section.body) == (400, "invalid_blocks")
    bad_attachment = send(live_server, path, text="x", attachments=[{"color": "javascript"}])
    assert (bad_attachment.status_code, bad_attachment.body) == (400, "invalid_attachments")
    bad_icon = send(live_server, path, text="x", icon_url="javascript:alert(1)")
    assert (bad_icon.status_code, bad_icon.body) == (400, "invalid_payload")


def test_archived_channel_is_410(live_server, team):
    channel = channel_create(actor=team.admin, workspace=team.workspace, name="alerts")
    webhook, secret = webhook_create(actor=team.admin, channel=channel, name="Alerts")
    channel_archive(actor=team.admin, channel=channel)
    response = send(live_server, webhook.url_path(secret), text="x")
    assert (response.status_code, response.body) == (410, "channel_is_archived")


def test_bot_removed_from_a_channel_is_403_or_404(live_server, team):
    public = channel_create(actor=team.admin, workspace=team.workspace, name="ops")
    public_hook, public_secret = webhook_create(actor=team.admin, channel=public, name="Ops")
    channel_kick(actor=team.admin, channel=public, user=public_hook.bot)
    response = send(live_server, public_hook.url_path(public_secret), text="x")
    assert (response.status_code, response.body) == (403, "action_prohibited")

    private = channel_create(actor=team.admin, workspace=team.workspace, name="secret-ops", is_private=True)
    private_hook, private_secret = webhook_create(actor=team.admin, channel=private, name="Secret")
    channel_kick(actor=team.admin, channel=private, user=private_hook.bot)
    response = send(live_server, private_hook.url_path(private_secret), text="x")
    assert (response.status_code, response.body) == (404, "channel_not_found")


def test_unknown_wrong_secret_and_revoked_urls_are_404_no_service(live_server, team, hook):
    webhook, path = hook
    assert send(live_server, path[:-3] + "xyz", text="x").status_code == 404
    assert send(live_server, f"/hooks/{team.workspace.public_id}/BNOPE/secret", text="x").body == "no_service"
    webhook_revoke(actor=team.admin, webhook=webhook)
    assert (send(live_server, path, text="x").status_code, send(live_server, path, text="x").body) == (
        404,
        "no_service",
    )
    assert not Message.objects.filter(text="x").exists()


def test_posts_past_the_rate_are_429_with_retry_after(live_server, hook, settings):
    _, path = hook
    settings.WEBHOOK_RATE = "2/m"
    cache.clear()
    assert [send(live_server, path, text=f"n{i}").status_code for i in range(2)] == [200, 200]
    limited = send(live_server, path, text="n3")
    assert (limited.status_code, limited.body) == (429, "rate_limited")
    assert int(limited.headers["Retry-After"]) >= 1
