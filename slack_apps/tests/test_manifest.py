"""Slack app manifests are read as Slack reads them; every problem is named at its pointer."""

from __future__ import annotations

import json

import pytest

from slack_apps.manifest import MANIFEST_MAX_BYTES, CommandSpec, ShortcutSpec, parse_manifest, spec_from_options
from slack_apps.scopes import DEFAULT_BOT_EVENTS
from slackclone.testing.assertions import refused

pytestmark = pytest.mark.django_db

# The manifest Slack's "Create an app from a manifest" page offers for a Bolt app, lightly filled in.
BOLT_MANIFEST = {
    "_metadata": {"major_version": 1, "minor_version": 1},
    "display_information": {"name": "Deploy Bot", "description": "Ships things", "background_color": "#2c2d30"},
    "features": {
        "app_home": {"home_tab_enabled": False, "messages_tab_enabled": True},
        "bot_user": {"display_name": "deploybot", "always_online": True},
        "slash_commands": [
            {
                "command": "/deploy",
                "url": "https://deploy.example.com/slack/events",
                "description": "Deploy a service",
                "usage_hint": "[service] [env]",
                "should_escape": False,
            }
        ],
    },
    "oauth_config": {
        "redirect_urls": ["https://deploy.example.com/oauth"],
        "scopes": {"bot": ["app_mentions:read", "channels:history", "chat:write", "commands", "im:history"]},
    },
    "settings": {
        "event_subscriptions": {
            "request_url": "https://deploy.example.com/slack/events",
            "bot_events": ["app_mention", "message.channels", "message.im"],
        },
        "interactivity": {"is_enabled": True, "request_url": "https://deploy.example.com/slack/actions"},
        "org_deploy_enabled": False,
        "socket_mode_enabled": False,
        "token_rotation_enabled": False,
    },
}

YAML_MANIFEST = """
display_information:
  name: Standup
features:
  bot_user:
    display_name: standup
  slash_commands:
    - command: /standup
      description: Start the stand-up
oauth_config:
  scopes:
    bot: [chat:write, commands, reactions:read]
settings:
  event_subscriptions:
    bot_events: [reaction_added]
  socket_mode_enabled: true
"""


def test_a_slack_manifest_pasted_as_is_is_read():
    spec = parse_manifest(json.dumps(BOLT_MANIFEST))
    assert spec.name == "Deploy Bot"
    assert spec.description == "Ships things"
    assert spec.bot_display_name == "deploybot"
    assert spec.scopes == ("app_mentions:read", "channels:history", "chat:write", "commands", "im:history")
    assert spec.bot_events == ("app_mention", "message.channels", "message.im")
    assert spec.request_url == "https://deploy.example.com/slack/events"
    assert spec.interactivity_url == "https://deploy.example.com/slack/actions"
    assert spec.socket_mode is False
    assert spec.commands == (
        CommandSpec("/deploy", "https://deploy.example.com/slack/events", "Deploy a service", "[service] [env]"),
    )


def test_a_yaml_manifest_is_read_like_json():
    spec = parse_manifest(YAML_MANIFEST)
    assert (spec.name, spec.socket_mode, spec.bot_events) == ("Standup", True, ("reaction_added",))
    assert spec.commands == (CommandSpec("/standup", description="Start the stand-up"),)


def test_every_problem_is_named_at_its_pointer_at_once():
    bad = json.loads(json.dumps(BOLT_MANIFEST))
    bad["display_information"]["name"] = "x" * 36
    bad["features"]["slash_commands"].append({"command": "deploy now"})
    bad["oauth_config"]["scopes"]["bot"].append("admin")
    bad["settings"]["event_subscriptions"]["bot_events"].append("reaction_added")
    bad["settings"]["colour"] = "red"
    bad["features"]["shortcuts"] = [{"name": "Run", "type": "global"}]

    with refused("invalid_manifest") as caught:
        parse_manifest(json.dumps(bad))

    assert caught.value.fields == {
        "/display_information/name": "must be at most 35 characters",
        "/features/slash_commands/1/command": "must be a slash and up to 31 lower-case letters, digits, - _ or .",
        "/oauth_config/scopes/bot/5": "'admin' is not a bot scope known here",
        "/settings/event_subscriptions/bot_events/3": "reaction_added needs the bot scope reactions:read "
        "(oauth_config.scopes.bot)",
        "/settings/colour": "is not a part of a Slack app manifest that is known here",
        "/features/shortcuts/0/callback_id": "is required",
    }


def test_shortcuts_are_read_and_checked():
    manifest = json.loads(json.dumps(BOLT_MANIFEST))
    manifest["features"]["shortcuts"] = [
        {"name": "New poll", "type": "global", "callback_id": "poll", "description": "Ask the team"},
        {"name": "Make a task", "type": "message", "callback_id": "task"},
    ]
    spec = parse_manifest(json.dumps(manifest))
    assert spec.shortcuts == (
        ShortcutSpec("New poll", "global", "poll", "Ask the team"),
        ShortcutSpec("Make a task", "message", "task"),
    )
    manifest["features"]["shortcuts"] = [
        {"name": "A", "type": "workflow", "callback_id": "a"},
        {"name": "B", "type": "global", "callback_id": "a", "colour": "red"},
    ]
    with refused("invalid_manifest") as caught:
        parse_manifest(json.dumps(manifest))
    assert caught.value.fields == {
        "/features/shortcuts/0/type": "must be global or message",
        "/features/shortcuts/1/colour": "is not a part of a shortcut",
        "/features/shortcuts/1/callback_id": "a is listed twice",
    }


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[1, 2]", "must be an object"),
        ("{", "not valid JSON"),
        ("display_information: [unclosed", "not valid JSON or YAML"),
        ("a: &x [1]\nb: *x\n", "aliases (*name) are not allowed"),
        ("[" * 60_000, "not valid JSON"),
        ("name: " + "[" * 60_000, "not valid JSON or YAML"),
        ("x" * (MANIFEST_MAX_BYTES + 1), "larger than 64 KiB"),
        ("oauth_config:\n  scopes:\n    user: [chat:write]\ndisplay_information: {name: A}\n", "user scopes"),
    ],
)
def test_a_manifest_that_cannot_be_read_is_refused_with_the_reason(text, problem):
    with refused("invalid_manifest") as caught:
        parse_manifest(text)
    assert problem in caught.value.message


def test_a_command_listed_twice_and_a_missing_name_are_refused():
    with refused("invalid_manifest") as caught:
        parse_manifest(json.dumps({"features": {"slash_commands": [{"command": "/a"}, {"command": "/a"}]}}))
    assert caught.value.fields["/display_information/name"] == "is required"
    assert caught.value.fields["/features/slash_commands/1/command"] == "/a is listed twice"


def test_options_get_the_default_events_and_the_scopes_they_need():
    spec = spec_from_options(name="Helper", commands=["/helper"], events=[])
    assert spec.bot_events == DEFAULT_BOT_EVENTS
    assert {"app_mentions:read", "reactions:read", "channels:read", "chat:write"} <= set(spec.scopes)
    assert spec_from_options(name="Pins", events=["pin_added"]).scopes.count("pins:read") == 1
    with refused("invalid_manifest") as caught:
        spec_from_options(name="Bad", events=["message.everything"], commands=["/Bad"])
    assert set(caught.value.fields) == {
        "/settings/event_subscriptions/bot_events/0",
        "/features/slash_commands/0/command",
    }
