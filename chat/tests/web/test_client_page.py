"""The client page at /<workspace-slug>/: who may open it, the deep links, and the bootstrap document."""

from __future__ import annotations

import json
import time

import pytest
from django.conf import settings
from redis import Redis

from chat.services import channel_create, message_post
from realtime.store import KEY_PREFIX
from slackclone.testing.web import web_client

pytestmark = pytest.mark.django_db


def bootstrap(response) -> dict:
    html = response.content.decode()
    start = html.index('id="client-bootstrap" type="application/json">') + len(
        'id="client-bootstrap" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_a_member_gets_the_client_with_a_bootstrap_document(team):
    response = web_client(team.member).get(f"/{team.workspace.slug}/")

    assert response.status_code == 200
    assert "js/client/main.js" in response.content.decode()
    boot = bootstrap(response)
    assert boot["self"]["id"] == team.member.public_id
    assert boot["workspace"] == {
        "id": team.workspace.public_id,
        "name": team.workspace.name,
        "slug": team.workspace.slug,
        "role": "member",
        "icon": "",
        "read_receipts": False,
    }
    assert [w["id"] for w in boot["workspaces"]] == [team.workspace.public_id]
    assert boot["api"] == "/api/v1/"
    assert boot["ws"] == "/ws/"
    assert boot["links"]["admin"] == f"/{team.workspace.slug}/admin/"
    assert boot["target"] == {}
    assert boot["online"] == []  # nobody has a socket open


def test_the_bootstrap_says_who_is_online(team):
    """The owner has a live socket, as the gateway records it in Redis (realtime.store)."""
    redis = Redis.from_url(settings.REDIS_URL)
    key = KEY_PREFIX + "p:c:" + team.owner.public_id
    redis.zadd(key, {"test-connection": time.time() + 60})
    try:
        boot = bootstrap(web_client(team.member).get(f"/{team.workspace.slug}/"))
    finally:
        redis.delete(key)
        redis.close()
    assert boot["online"] == [team.owner.public_id]


def test_a_guest_is_told_only_about_the_people_they_share_a_channel_with(team):
    from chat.services import channel_invite

    channel_invite(actor=team.owner, channel=team.random, users=[team.guest])
    redis = Redis.from_url(settings.REDIS_URL)
    keys = [KEY_PREFIX + "p:c:" + user.public_id for user in (team.owner, team.member)]
    for key in keys:
        redis.zadd(key, {"test-connection": time.time() + 60})
    try:
        boot = bootstrap(web_client(team.guest).get(f"/{team.workspace.slug}/"))
    finally:
        redis.delete(*keys)
        redis.close()
    assert boot["online"] == [team.owner.public_id]
    assert boot["self"]["profile"]["email"] == team.guest.email


def test_opening_the_client_remembers_the_workspace_as_the_last_one(team):
    web_client(team.member).get(f"/{team.workspace.slug}/")

    team.member.refresh_from_db()
    assert team.member.last_workspace_id == team.workspace.pk


def test_a_signed_out_visitor_is_sent_to_log_in(team):
    response = web_client().get(f"/{team.workspace.slug}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_someone_outside_the_workspace_gets_404(team, outsider):
    assert web_client(outsider).get(f"/{team.workspace.slug}/").status_code == 404


def test_an_unknown_workspace_is_404(team):
    assert web_client(team.member).get("/no-such-workspace/").status_code == 404


def test_a_channel_deep_link_names_the_channel(team):
    response = web_client(team.member).get(f"/{team.workspace.slug}/archives/{team.general.public_id}/")

    assert bootstrap(response)["target"] == {"channel": team.general.public_id}


def test_a_message_permalink_names_the_message_and_its_thread(team):
    root = message_post(sender=team.owner, channel=team.general, text="Release at noon")
    reply = message_post(sender=team.member, channel=team.general, text="Ack", thread_ts=root.ts)
    path = f"/{team.workspace.slug}/archives/{team.general.public_id}/p{reply.ts.replace('.', '')}"

    response = web_client(team.member).get(path, {"thread_ts": root.ts, "cid": team.general.public_id})

    assert bootstrap(response)["target"] == {"channel": team.general.public_id, "ts": reply.ts, "thread_ts": root.ts}


def test_a_deep_link_to_a_private_channel_you_are_not_in_is_404(team):
    secret = channel_create(actor=team.owner, workspace=team.workspace, name="secret", is_private=True)

    response = web_client(team.member).get(f"/{team.workspace.slug}/archives/{secret.public_id}/")

    assert response.status_code == 404


def test_user_text_in_the_bootstrap_cannot_close_the_script_element(team):
    team.member.display_name = "</script><script>alert(1)</script>"
    team.member.save(update_fields=["display_name"])

    response = web_client(team.member).get(f"/{team.workspace.slug}/")

    assert "</script><script>alert(1)" not in response.content.decode()
    assert bootstrap(response)["self"]["profile"]["display_name"] == "</script><script>alert(1)</script>"
