"""emoji.list: the workspace's custom emoji, as Slack lists them."""

from __future__ import annotations

from django.conf import settings

from chat.selectors import custom_emoji
from chat.wire import emoji_value
from slack_api.core import Context, method


@method("emoji.list", scopes=("emoji:read",))
def emoji_list(ctx: Context) -> dict:
    """{"emoji": {name: image URL, or "alias:<name>"}}. The images are served only to the workspace's
    members (a session, or a token of the workspace as a bearer token)."""
    workspace_id = ctx.workspace.public_id
    emoji = {}
    for item in custom_emoji(workspace=ctx.workspace):
        value = emoji_value(item, workspace_id=workspace_id)
        emoji[item.name] = value if item.is_alias else f"{settings.SITE_URL}{value}"
    return {"emoji": emoji}
