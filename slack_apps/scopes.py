"""Slack's bot scopes, the events an app may subscribe to, and what each needs.

Names are Slack's, so a manifest written for Slack is read as is. The Web API's methods name the
scopes they need in slack_api (`method(..., scopes=...)`); this module holds only the vocabulary.
"""

from __future__ import annotations

BOT_SCOPES = frozenset(
    {
        "app_mentions:read",
        "bookmarks:read",
        "channels:history",
        "channels:join",
        "channels:manage",
        "channels:read",
        "chat:write",
        "chat:write.customize",
        "chat:write.public",
        "commands",
        "emoji:read",
        "files:read",
        "files:write",
        "groups:history",
        "groups:read",
        "groups:write",
        "im:history",
        "im:read",
        "im:write",
        "links:read",
        "links:write",
        "mpim:history",
        "mpim:read",
        "mpim:write",
        "pins:read",
        "pins:write",
        "reactions:read",
        "reactions:write",
        "reminders:read",
        "reminders:write",
        "team:read",
        "stars:read",
        "stars:write",
        "usergroups:read",
        "usergroups:write",
        "users.profile:read",
        "users:read",
        "users:read.email",
        "users:write",
    }
)

# The bot events an app may subscribe to, each with the scope it needs (Slack's pairing).
BOT_EVENTS: dict[str, str] = {
    "app_mention": "app_mentions:read",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
    "message.mpim": "mpim:history",
    "reaction_added": "reactions:read",
    "reaction_removed": "reactions:read",
    "member_joined_channel": "channels:read",
    "member_left_channel": "channels:read",
    "channel_created": "channels:read",
    "channel_rename": "channels:read",
    "channel_archive": "channels:read",
    "channel_unarchive": "channels:read",
    "pin_added": "pins:read",
    "pin_removed": "pins:read",
    "emoji_changed": "emoji:read",
    "team_join": "users:read",
    "user_change": "users:read",
    "link_shared": "links:read",
    "app_home_opened": "",  # no scope: an app hears only of its own Home tab
}

# What `manage.py create_app` subscribes to without --event.
DEFAULT_BOT_EVENTS = (
    "message.channels",
    "message.groups",
    "message.im",
    "message.mpim",
    "app_mention",
    "reaction_added",
    "reaction_removed",
    "member_joined_channel",
    "channel_created",
)

# What an app made without a manifest is granted: what a typical Bolt app's manifest asks for.
DEFAULT_BOT_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "channels:join",
    "channels:read",
    "chat:write",
    "commands",
    "files:read",
    "files:write",
    "groups:history",
    "groups:read",
    "im:history",
    "im:read",
    "im:write",
    "mpim:history",
    "mpim:read",
    "mpim:write",
    "pins:read",
    "pins:write",
    "reactions:read",
    "reactions:write",
    "team:read",
    "users:read",
)

# The one scope of an app-level token here: opening Socket Mode connections.
APP_TOKEN_SCOPE = "connections:write"


def scopes_for_events(events: list[str]) -> list[str]:
    """The scopes these events need, in a stable order."""
    return sorted({BOT_EVENTS[event] for event in events if BOT_EVENTS.get(event)})
