"""Events API deliveries are written in the transaction of the change, for the apps that should hear of
it: subscribed, enabled, their bot in the channel, in the change's own workspace."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from chat.services import (
    channel_create,
    channel_invite,
    emoji_add,
    emoji_alias,
    emoji_remove,
    message_delete,
    message_edit,
    message_post,
    reaction_add,
)
from slack_apps.manifest import spec_from_options
from slack_apps.models import AppEvent, DeliveryState, EventDelivery
from slack_apps.services import app_create, app_set_enabled
from slack_apps.tests.support import fanned_out, forget_events
from slackclone.testing.images import image_bytes, upload
from workspaces.models import Membership

pytestmark = pytest.mark.django_db


def installed_app(team, *, events=(), channel=None, name="Listener"):
    app, _ = app_create(actor=team.admin, workspace=team.workspace, spec=spec_from_options(name=name, events=events))
    if channel is not None:
        channel_invite(actor=team.owner, channel=channel, users=[app.bot_user])
    forget_events()  # the bot's own joining
    return app


def envelopes() -> list[dict]:
    """The envelopes of every delivery, once the events so far are dispatched."""
    fanned_out()
    rows = EventDelivery.objects.select_related("app__workspace", "app__bot_user", "app_event").order_by("pk")
    return [json.loads(row.body) for row in rows]


def test_a_message_in_a_channel_the_bot_is_in_becomes_an_event_callback(team):
    app = installed_app(team, channel=team.general)

    message = message_post(sender=team.member, channel=team.general, text="hello")

    (envelope,) = envelopes()
    assert envelope["type"] == "event_callback"
    assert envelope["api_app_id"] == app.public_id
    assert envelope["team_id"] == team.workspace.public_id
    assert envelope["authorizations"] == [
        {
            "enterprise_id": None,
            "team_id": team.workspace.public_id,
            "user_id": app.bot_user.public_id,
            "is_bot": True,
            "is_enterprise_install": False,
        }
    ]
    event = envelope["event"]
    assert (event["type"], event["channel"], event["user"], event["text"]) == (
        "message",
        team.general.public_id,
        team.member.public_id,
        "hello",
    )
    assert (event["ts"], event["event_ts"], event["channel_type"]) == (message.ts, message.ts, "channel")
    row = EventDelivery.objects.get()
    assert (row.state, row.event_id, row.channel_id) == (
        DeliveryState.PENDING,
        envelope["event_id"],
        team.general.public_id,
    )


def test_no_delivery_for_a_channel_the_bot_is_not_in_or_for_a_workspace_without_apps(team, outsider):
    installed_app(team, channel=team.general)
    message_post(sender=team.owner, channel=team.random, text="not for the bot")
    assert envelopes() == []

    elsewhere = Membership.objects.get(user=outsider).workspace
    assert elsewhere.has_event_subscribers is False
    other_channel = channel_create(actor=outsider, workspace=elsewhere, name="mine")
    message_post(sender=outsider, channel=other_channel, text="another workspace")
    assert envelopes() == []


def test_a_mention_of_the_bot_is_an_app_mention_as_well(team):
    app = installed_app(team, channel=team.general)

    message_post(sender=team.member, channel=team.general, text=f"<@{app.bot_user.public_id}> deploy")

    assert [e["event"]["type"] for e in envelopes()] == ["message", "app_mention"]
    assert envelopes()[1]["event"]["text"] == f"<@{app.bot_user.public_id}> deploy"


def test_edits_deletions_and_reactions_reach_the_apps_that_subscribe(team):
    installed_app(team, channel=team.general)
    message = message_post(sender=team.member, channel=team.general, text="first")
    forget_events()

    message_edit(actor=team.member, message=message, text="second")
    reaction_add(actor=team.owner, message=message, emoji="tada")
    message_delete(actor=team.member, message=message)

    events = [e["event"] for e in envelopes()]
    assert [(e["type"], e.get("subtype")) for e in events] == [
        ("message", "message_changed"),
        ("reaction_added", None),
        ("message", "message_deleted"),
    ]
    assert events[0]["message"]["text"] == "second"
    assert events[0]["previous_message"]["text"] == "first"
    assert events[1]["item"] == {"type": "message", "channel": team.general.public_id, "ts": message.ts}
    assert events[2]["deleted_ts"] == message.ts
    assert events[2]["previous_message"]["text"] == "second"


def test_an_app_hears_only_the_events_it_subscribes_to(team):
    installed_app(team, channel=team.general, events=["reaction_added"])
    message = message_post(sender=team.member, channel=team.general, text="quiet")
    assert envelopes() == []
    reaction_add(actor=team.member, message=message, emoji="eyes")
    assert [e["event"]["type"] for e in envelopes()] == ["reaction_added"]


def test_joins_and_new_public_channels(team):
    app = installed_app(team, channel=team.general)

    channel_invite(actor=team.owner, channel=team.general, users=[team.guest])
    created = channel_create(actor=team.member, workspace=team.workspace, name="launch")
    channel_create(actor=team.member, workspace=team.workspace, name="hush", is_private=True)

    events = [e["event"] for e in envelopes()]
    assert [e["type"] for e in events] == ["member_joined_channel", "channel_created"]
    assert (events[0]["user"], events[0]["inviter"], events[0]["channel_type"]) == (
        team.guest.public_id,
        team.owner.public_id,
        "C",
    )
    assert events[1]["channel"]["id"] == created.public_id
    assert app.bot_user.public_id not in {e.get("user") for e in events}


def test_a_private_channel_or_dm_reaches_only_a_bot_inside_it(team):
    private = channel_create(actor=team.owner, workspace=team.workspace, name="secret", is_private=True)
    inside = installed_app(team, channel=private, name="Inside")
    installed_app(team, name="Outside")

    message_post(sender=team.owner, channel=private, text="for insiders")

    (envelope,) = envelopes()
    assert envelope["api_app_id"] == inside.public_id
    assert envelope["event"]["channel_type"] == "group"


def test_a_disabled_app_gets_nothing_and_posting_then_looks_for_no_apps(team):
    app = installed_app(team, channel=team.general)
    app_set_enabled(actor=team.admin, app=app, enabled=False)
    team.workspace.refresh_from_db()
    assert team.workspace.has_event_subscribers is False

    message_post(sender=team.member, channel=team.general, text="nobody listens")

    assert not AppEvent.objects.exists()
    assert envelopes() == []


def test_a_change_that_rolls_back_leaves_no_delivery(team):
    installed_app(team, channel=team.general)

    def post_then_fail() -> None:
        with transaction.atomic():
            message_post(sender=team.member, channel=team.general, text="undone")
            raise RuntimeError("the request failed after posting")

    with pytest.raises(RuntimeError):
        post_then_fail()

    assert not AppEvent.objects.exists()
    assert envelopes() == []


def test_custom_emoji_changes_reach_every_subscribed_app_of_the_workspace(team, outsider, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    app = installed_app(team, events=["emoji_changed"])  # its bot is in no channel: the news is the workspace's
    installed_app(team, events=["reaction_added"], name="Other")
    other_workspace = outsider.memberships.get().workspace
    emoji_add(actor=outsider, workspace=other_workspace, name="theirs", image=upload(image_bytes()))

    parrot = emoji_add(actor=team.member, workspace=team.workspace, name="partyparrot", image=upload(image_bytes()))
    emoji_alias(actor=team.member, workspace=team.workspace, name="parrot", alias_for="partyparrot")
    emoji_remove(actor=team.admin, workspace=team.workspace, name="partyparrot")

    assert {envelope["api_app_id"] for envelope in envelopes()} == {app.public_id}
    added, aliased, removed = [envelope["event"] for envelope in envelopes()]
    image = f"{settings.SITE_URL}/api/v1/workspaces/{team.workspace.public_id}/emoji-images/{parrot.image_key}"
    assert (added["type"], added["subtype"], added["name"], added["value"]) == (
        "emoji_changed",
        "add",
        "partyparrot",
        image,
    )
    assert (aliased["name"], aliased["value"]) == ("parrot", "alias:partyparrot")
    assert (removed["subtype"], removed["names"]) == ("remove", ["partyparrot", "parrot"])
