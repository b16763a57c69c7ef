"""Desktop notifications' REST endpoints: the VAPID key, subscribing a device, switching it off, removing it.
A subscription is its person's alone; endpoints are held to the outgoing client's rules and must be https."""

from __future__ import annotations

import logging

import pytest

from notifications.models import PushSubscription
from notifications.tests.push_service import BrowserKeys
from notifications.webpush import vapid_public_key
from slackclone.testing.api import error_code, session_client
from slackclone.testing.factories import BotFactory, add_member

pytestmark = pytest.mark.django_db

SUBSCRIPTIONS = "/api/v1/push/subscriptions"


def body(endpoint: str, keys: BrowserKeys | None = None, **extra) -> dict:
    keys = keys or BrowserKeys()
    return {"endpoint": endpoint, "keys": {"p256dh": keys.p256dh, "auth": keys.auth}, **extra}


def test_the_vapid_key_is_the_servers_public_key(team, client_for):
    answer = client_for(team.guest).get("/api/v1/push/vapid-key")
    assert answer.status_code == 200
    assert answer.json() == {"public_key": vapid_public_key()}
    assert len(answer.json()["public_key"]) == 87  # a P-256 point, uncompressed, base64url
    assert session_client(None).get("/api/v1/push/vapid-key").status_code == 401


def test_subscribe_list_switch_off_and_remove(team, client_for):
    client = client_for(team.member)
    created = client.post(SUBSCRIPTIONS, body("http://127.0.0.1:9/push/a"), HTTP_USER_AGENT="Firefox on Linux")
    assert created.status_code == 201
    sub = created.json()["subscription"]
    assert (sub["device"], sub["enabled"], sub["last_success"]) == ("Firefox on Linux", True, None)
    assert sub["id"].startswith("W")

    switched = client.patch(f"{SUBSCRIPTIONS}/{sub['id']}", {"enabled": False})
    assert switched.json()["subscription"]["enabled"] is False
    assert [s["enabled"] for s in client.get(SUBSCRIPTIONS).json()["subscriptions"]] == [False]
    again = client.post(SUBSCRIPTIONS, body("http://127.0.0.1:9/push/a"))
    assert (again.json()["subscription"]["id"], again.json()["subscription"]["enabled"]) == (sub["id"], True)

    assert client.delete(f"{SUBSCRIPTIONS}/{sub['id']}").json() == {"ok": True}
    assert client.get(SUBSCRIPTIONS).json() == {"subscriptions": []}


def test_a_subscription_is_its_persons_alone(team, client_for, outsider):
    assert session_client(None).get(SUBSCRIPTIONS).status_code == 401
    mine = client_for(team.member).post(SUBSCRIPTIONS, body("http://127.0.0.1:9/push/mine")).json()["subscription"]
    for person in (team.other_member, team.admin, team.owner, team.guest, outsider):
        client = client_for(person)
        assert client.get(SUBSCRIPTIONS).json() == {"subscriptions": []}, person
        for answer in (
            client.patch(f"{SUBSCRIPTIONS}/{mine['id']}", {"enabled": False}),
            client.delete(f"{SUBSCRIPTIONS}/{mine['id']}"),
        ):
            assert (answer.status_code, error_code(answer)) == (404, "subscription_not_found"), person
    assert PushSubscription.objects.get(public_id=mine["id"]).enabled


def test_an_endpoint_moves_to_whoever_subscribes_it_last(team, client_for):
    client_for(team.member).post(SUBSCRIPTIONS, body("http://127.0.0.1:9/push/shared"))
    client_for(team.guest).post(SUBSCRIPTIONS, body("http://127.0.0.1:9/push/shared"))
    assert list(PushSubscription.objects.values_list("user_id", flat=True)) == [team.guest.pk]


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://push.example.com/x",  # not https
        "ftp://127.0.0.1/x",
        "https://user:pw@127.0.0.1/x",
        "https://10.1.2.3/x",  # private, and not in OUTGOING_ALLOWED_NETWORKS
        "https://169.254.169.254/latest",
        "https://[::ffff:10.0.0.1]/x",
        "https://127.0.0.1/" + "a" * 2100,
        "",
    ],
)
def test_a_bad_endpoint_is_refused_and_logged_once(team, client_for, endpoint, caplog):
    with caplog.at_level(logging.WARNING, logger="notifications.services.push"):
        answer = client_for(team.member).post(SUBSCRIPTIONS, body(endpoint))
    assert (answer.status_code, error_code(answer)) in {(400, "invalid_subscription"), (400, "invalid_arguments")}
    assert not PushSubscription.objects.exists()
    if endpoint:
        assert len([r for r in caplog.records if "refused" in r.getMessage()]) == 1
        assert "/latest" not in caplog.text


def test_loopback_is_refused_unless_an_allowed_network(team, client_for, settings):
    settings.OUTGOING_ALLOWED_NETWORKS = []
    answer = client_for(team.member).post(SUBSCRIPTIONS, body("http://127.0.0.1:9/push/a"))
    assert (answer.status_code, error_code(answer)) == (400, "invalid_subscription")


@pytest.mark.parametrize(
    ("p256dh", "auth"),
    [
        ("BAAA", BrowserKeys().auth),  # not a point
        ("B" + "A" * 86, BrowserKeys().auth),  # 65 bytes, not on the curve
        (BrowserKeys().p256dh, "c2hvcnQ"),  # a secret of 5 bytes
        (BrowserKeys().p256dh, "!!!!"),
    ],
    ids=["not-a-point", "not-on-the-curve", "short-secret", "not-base64"],
)
def test_bad_keys_are_refused(team, client_for, p256dh, auth):
    answer = client_for(team.member).post(
        SUBSCRIPTIONS, {"endpoint": "http://127.0.0.1:9/p", "keys": {"p256dh": p256dh, "auth": auth}}
    )
    assert (answer.status_code, error_code(answer)) == (400, "invalid_subscription")
    assert error_code(client_for(team.member).post(SUBSCRIPTIONS, {"endpoint": "x"})) == "invalid_arguments"


def test_a_bot_cannot_subscribe(team, client_for):
    client = client_for(add_member(team.workspace, BotFactory(bot_workspace=team.workspace)), team.workspace)
    answer = client.post(SUBSCRIPTIONS, body("http://127.0.0.1:9/push/bot"))
    assert (answer.status_code, error_code(answer)) == (403, "restricted_action")
